//! A workflow's `Inputs` type, generated from its inputs JSON Schema by typify (the engine
//! Progenitor uses for OpenAPI schemas): nested objects become structs, enums become enums,
//! descriptions become rustdoc, and a property not listed as `required` is an `Option`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use serde_json::Value;

/// One input as the generated struct holds it.
#[derive(Clone, Debug)]
pub struct InputField {
    /// The struct field.
    pub ident: syn::Ident,
    /// Whether the field is an `Option` (absent input).
    pub optional: bool,
    /// Its type, as typify writes it.
    pub ty: syn::Type,
}

/// The generated `Inputs` type and its fields by input name.
pub struct InputsType {
    /// `Inputs` and every type it uses.
    pub tokens: TokenStream,
    /// Input name (as in the document) to its field.
    pub fields: BTreeMap<String, InputField>,
    /// The crates its code names beyond those every file needs.
    pub needs: super::Needs,
    /// typify's `error` module, when the types use it: it is taken out of `tokens` (which
    /// then name it as `super::error`), so that a file holds it once.
    pub error_module: Option<TokenStream>,
}

/// Generates `Inputs` with typify. Errors (and typify panics) come back as text, for the caller
/// to fall back on plain fields.
pub fn with_typify(schema: &Value, workflow_id: &str) -> Result<InputsType, String> {
    if schema.get("$ref").is_some() {
        return Err("the inputs schema is a reference".into());
    }
    let mut schema = schema.clone();
    if let Value::Object(map) = &mut schema {
        // The type's rustdoc: the schema's own description, else a sentence naming the workflow.
        map.entry("description")
            .or_insert_with(|| Value::String(format!("The inputs of workflow `{workflow_id}`.")));
    }
    let parsed: schemars::schema::Schema =
        serde_json::from_value(schema).map_err(|e| e.to_string())?;
    let run =
        std::panic::catch_unwind(|| -> Result<(String, TokenStream, super::Needs), String> {
            let mut settings = typify::TypeSpaceSettings::default();
            settings
                .with_struct_builder(false)
                .with_derive("PartialEq".to_string());
            let mut space = typify::TypeSpace::new(&settings);
            let id = space
                .add_type_with_name(&parsed, Some("Inputs".to_string()))
                .map_err(|e| e.to_string())?;
            let name = space.get_type(&id).map_err(|e| e.to_string())?.name();
            let needs = super::Needs {
                chrono: space.uses_chrono(),
                uuid: space.uses_uuid(),
                regress: space.uses_regress(),
                futures: false,
            };
            Ok((name, space.to_stream(), needs))
        });
    let (name, tokens, needs) = run.map_err(|_| "typify panicked on the schema".to_string())??;
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    // typify's own `error` module, out of the types: the file holds one.
    let error = file
        .items
        .iter()
        .position(|item| matches!(item, syn::Item::Mod(m) if m.ident == "error"))
        .map(|i| file.items.remove(i));
    let uses_error = {
        let mut finder = ErrorModuleUse(false);
        syn::visit::Visit::visit_file(&mut finder, &file);
        finder.0
    };
    let error_module = error.filter(|_| uses_error).map(|e| e.to_token_stream());
    // typify names the value `+1` `plus1` (and `-1` `minus1`) whatever the case of the others.
    for item in &mut file.items {
        if let syn::Item::Enum(e) = item {
            let lower = e.variants.iter().any(|v| {
                v.ident
                    .to_string()
                    .starts_with(|c: char| c.is_ascii_lowercase())
            });
            if lower {
                e.attrs
                    .push(syn::parse_quote!(#[allow(non_camel_case_types)]));
            }
        }
    }
    // Two properties whose Rust names are one (`Content-Type`, `contentType`): typify gives
    // both the same field; the later ones get a suffix (serde's rename keeps their JSON name).
    for item in &mut file.items {
        if let syn::Item::Struct(syn::ItemStruct {
            fields: syn::Fields::Named(named),
            ..
        }) = item
        {
            let mut taken: Vec<String> = Vec::new();
            for f in named.named.iter_mut() {
                let Some(ident) = f.ident.clone() else {
                    continue;
                };
                let base = ident.to_string();
                let mut name = base.clone();
                let mut k = 2;
                while taken.contains(&name) {
                    name = format!("{}_{k}", base.trim_start_matches("r#"));
                    k += 1;
                }
                if name != base {
                    f.ident = Some(format_ident!("{name}"));
                }
                taken.push(name);
            }
        }
    }
    let strukt = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == name => Some(s),
            _ => None,
        })
        .ok_or("the inputs schema is not an object with properties")?;
    let syn::Fields::Named(named) = &strukt.fields else {
        return Err("the inputs schema is not an object with properties".into());
    };
    let mut fields = BTreeMap::new();
    for f in &named.named {
        let Some(ident) = f.ident.clone() else {
            continue;
        };
        let json = rename(&f.attrs).unwrap_or_else(|| ident.to_string());
        let optional = matches!(&f.ty, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Option"));
        fields.insert(
            json,
            InputField {
                ident,
                optional,
                ty: f.ty.clone(),
            },
        );
    }
    let alias = if name == "Inputs" {
        TokenStream::new()
    } else {
        let ident = format_ident!("{name}");
        quote! {
            /// The workflow's inputs.
            pub type Inputs = #ident;
        }
    };
    let items = &file.items;
    let import = if error_module.is_some() {
        quote!(
            use super::error;
        )
    } else {
        TokenStream::new()
    };
    Ok(InputsType {
        tokens: quote! { #import #(#items)* #alias },
        fields,
        needs,
        error_module,
    })
}

/// The `rename = "..."` of a field's `#[serde(...)]`.
fn rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut out = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                out = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    out
}

/// Finds a path through typify's `error` module (`self::error::ConversionError`).
struct ErrorModuleUse(bool);

impl<'ast> syn::visit::Visit<'ast> for ErrorModuleUse {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.iter().any(|s| s.ident == "error")
            && path
                .segments
                .last()
                .is_some_and(|s| s.ident == "ConversionError")
        {
            self.0 = true;
        }
        syn::visit::visit_path(self, path);
    }
}
