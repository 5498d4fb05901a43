//! A step's request body built as the client's own typed value, where the body type and the
//! payload's values allow it, rather than written as JSON and read back into that type.
//!
//! What is built is what deserialising the payload's JSON would give: a struct from an object
//! whose members all name its fields (a field left out takes the default its deserialiser
//! gives), a map or a list member by member, a value whose type is the field's own as it is, a
//! string into a constrained string or a string enum by the conversion its deserialiser uses.
//! Any other member is read from its own JSON; a body that is not a struct of the client's is
//! read from JSON whole.

use super::*;
use crate::emit::api::{generic_of, option_of, type_args, StructApi, TypesApi};

/// What building a body needs to know besides the values.
struct BodyCx<'c> {
    /// The client's types.
    types: &'c TypesApi,
    /// The client's module.
    module: &'c syn::Ident,
    /// The step's id, for errors.
    sid: &'c str,
    /// The inputs that are always present.
    required: &'c [String],
}

impl BodyCx<'_> {
    /// `value`, of Rust type `from`, as a value of type `to` (a type of the client's module as
    /// it writes it), converted as its JSON would deserialise: as it is where the types are
    /// one, into `Some` where `to` is an `Option`, an `Option` member by member, a string into
    /// a constrained string or a string enum; `None` for any other conversion.
    fn convert(
        &self,
        rt: &TokenStream,
        from: &syn::Type,
        value: TokenStream,
        to: &syn::Type,
        pointer: &str,
    ) -> Option<TokenStream> {
        if from == to && std_value(from) {
            return Some(value);
        }
        if let Some(to) = option_of(to) {
            let Some(from) = option_of(from) else {
                let converted = self.convert(rt, from, value, to, pointer)?;
                return Some(quote!(::std::option::Option::Some(#converted)));
            };
            let converted = self.convert(rt, from, quote!(v), to, pointer)?;
            return Some(quote!(match #value {
                ::std::option::Option::Some(v) => ::std::option::Option::Some(#converted),
                ::std::option::Option::None => ::std::option::Option::None,
            }));
        }
        let string: syn::Type = syn::parse_quote!(::std::string::String);
        let name = local_name(to).filter(|n| self.types.from_string.contains(n))?;
        let (module, ty) = (self.module, format_ident!("{name}"));
        let (sid, what) = (self.sid, format!("request body at `{pointer}`"));
        (*from == string)
            .then(|| quote!(#rt::from_string::<#module::types::#ty>(#sid, #what, #value)?))
    }
}

impl Workflow_<'_> {
    /// The body of type `ty` (as the request builder's setter names it) built from `payload`;
    /// `None` when it is to be read from the payload's JSON whole.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn typed_body(
        &self,
        payload: &ValueIr,
        ty: &TokenStream,
        types: &TypesApi,
        module: &syn::Ident,
        sid: &str,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<Option<TokenStream>, String> {
        // `types::X`, as the setter names a type of the client's module.
        let local = match syn::parse2::<syn::Type>(ty.clone()) {
            Ok(syn::Type::Path(p)) if p.qself.is_none() && p.path.leading_colon.is_none() => {
                match p.path.segments.iter().collect::<Vec<_>>().as_slice() {
                    [first, name] if first.ident == "types" && first.arguments.is_empty() => {
                        syn::Type::from(syn::TypePath {
                            qself: None,
                            path: syn::Path::from((*name).clone()),
                        })
                    }
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        let into = BodyCx {
            types,
            module,
            sid,
            required,
        };
        self.build(&into, payload, &local, "", diags, at)
    }

    /// The body of type `ty` (qualified) read from the payload's JSON with its replacements
    /// applied, and the declaration of the local that keeps that JSON where an expression
    /// reads it back (`$request.body`).
    pub(super) fn json_body(
        &self,
        si: usize,
        (payload, replacements): (&ValueIr, &[(String, ValueIr)]),
        ty: &TokenStream,
        required: &[String],
        diags: &mut Diagnostics,
        bat: &str,
    ) -> Result<(TokenStream, TokenStream), String> {
        let rt = self.rt();
        let sid = self.wf.steps[si].step_id.as_str();
        let value = self.json(payload, required, diags, &child(bat, "payload"))?;
        // Replacements are applied in order, each at its JSON pointer.
        let mut replaced = TokenStream::new();
        for (ri, (target, read)) in replacements.iter().enumerate() {
            let target = target.as_str();
            if !(target.is_empty() || target.starts_with('/')) {
                return Err(format!(
                    "a replacement of step `{sid}` targets `{target}`, which is not a JSON pointer"
                ));
            }
            let rat = child(&index(&child(bat, "replacements"), ri), "value");
            let v = self.json(read, required, diags, &rat)?;
            replaced.extend(quote! {
                #rt::replace(&mut body, #target, ::serde_json::json!(#v));
            });
        }
        let mut body = if replaced.is_empty() {
            quote!(::serde_json::json!(#value))
        } else {
            quote!({
                let mut body = ::serde_json::json!(#value);
                #replaced
                body
            })
        };
        // Kept in a local when an expression reads it back (`$request.body`).
        let mut decl = TokenStream::new();
        if self.ir.reads.request_body {
            let local = self.locals.request_body(si);
            decl = quote! { let #local: ::serde_json::Value = #body; };
            body = quote!(#local.clone());
        }
        Ok((
            decl,
            quote!(#rt::from_json::<#ty>(#sid, "request body", #body)?),
        ))
    }

    /// A struct of the client's from an object's members; `None` when a member names no field
    /// (or one named twice), or a field without a default is left out.
    #[allow(clippy::too_many_arguments)]
    fn build_struct(
        &self,
        into: &BodyCx<'_>,
        name: &str,
        st: &StructApi,
        members: &[(String, ValueIr)],
        pointer: &str,
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<Option<TokenStream>, String> {
        let mut given: Vec<Option<(&str, &ValueIr)>> = vec![None; st.fields.len()];
        for (k, v) in members {
            let Some(i) = st.fields.iter().position(|f| f.name == *k) else {
                return Ok(None);
            };
            if given[i].replace((k.as_str(), v)).is_some() {
                return Ok(None);
            }
        }
        let mut fields = Vec::new();
        for (f, given) in st.fields.iter().zip(given) {
            let value = match given {
                Some((k, v)) => {
                    let (pointer, at) = (child(pointer, k), child(at, k));
                    match self.member(into, v, &f.ty, &pointer, diags, &at)? {
                        Some(value) => value,
                        None => return Ok(None),
                    }
                }
                None if f.omissible => quote!(::std::default::Default::default()),
                None => return Ok(None),
            };
            let ident = &f.ident;
            fields.push(quote!(#ident: #value));
        }
        let module = into.module;
        let ty = format_ident!("{name}");
        Ok(Some(quote!(#module::types::#ty { #(#fields),* })))
    }

    /// A member of type `ty`: built, else read from its own JSON; `None` when its type cannot
    /// be named outside the client's module.
    fn member(
        &self,
        into: &BodyCx<'_>,
        v: &ValueIr,
        ty: &syn::Type,
        pointer: &str,
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<Option<TokenStream>, String> {
        if let Some(built) = self.build(into, v, ty, pointer, diags, at)? {
            return Ok(Some(built));
        }
        let Some(ty) = outside(ty, into.module) else {
            return Ok(None);
        };
        let rt = self.rt();
        let (sid, what) = (into.sid, format!("request body at `{pointer}`"));
        let json = self.json(v, into.required, diags, at)?;
        Ok(Some(quote!(
            #rt::from_json::<#ty>(#sid, #what, ::serde_json::json!(#json))?
        )))
    }

    /// `v` built as a value of type `ty` exactly as its JSON would deserialise; `None` where
    /// it is not built directly.
    fn build(
        &self,
        into: &BodyCx<'_>,
        v: &ValueIr,
        ty: &syn::Type,
        pointer: &str,
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<Option<TokenStream>, String> {
        // A value whose Rust type is known: converted, if it converts as its JSON would.
        if let Some((from, value)) = self.exact(v, into.required, diags, at)? {
            return Ok(into.convert(&self.rt(), &from, value, ty, pointer));
        }
        // A constant or a structure: built as the type reads it.
        if let Some(inner) = option_of(ty) {
            if *v == ValueIr::Const(Value::Null) {
                return Ok(Some(quote!(::std::option::Option::None)));
            }
            let built = self.build(into, v, inner, pointer, diags, at)?;
            return Ok(built.map(|b| quote!(::std::option::Option::Some(#b))));
        }
        match v {
            ValueIr::Const(Value::Number(n)) => Ok(number(n, ty)),
            ValueIr::Object(members) => {
                if let Some((name, st)) = local_name(ty)
                    .and_then(|name| into.types.structs.get(&name).map(|st| (name, st)))
                {
                    return self.build_struct(into, &name, st, members, pointer, diags, at);
                }
                let (Some(value_ty), Some(map)) = (string_map(ty), outside(ty, into.module)) else {
                    return Ok(None);
                };
                let mut entries = Vec::new();
                for (k, v) in members {
                    let (pointer, at) = (child(pointer, k), child(at, k));
                    match self.build(into, v, value_ty, &pointer, diags, &at)? {
                        Some(b) => entries.push(quote!((::std::string::String::from(#k), #b))),
                        None => return Ok(None),
                    }
                }
                Ok(Some(quote!(<#map>::from([#(#entries),*]))))
            }
            ValueIr::Array(items) => {
                let Some(item) = generic_of(ty, &VEC) else {
                    return Ok(None);
                };
                let mut built = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    let (pointer, at) = (index(pointer, i), index(at, i));
                    match self.build(into, v, item, &pointer, diags, &at)? {
                        Some(b) => built.push(b),
                        None => return Ok(None),
                    }
                }
                Ok(Some(quote!(::std::vec::Vec::from([#(#built),*]))))
            }
            _ => Ok(None),
        }
    }

    /// The Rust type and tokens of a payload value whose type is known exactly, as the JSON
    /// payload writes it (`None` for a structure, a number, `null` or a read of unknown type).
    fn exact(
        &self,
        v: &ValueIr,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<Option<(syn::Type, TokenStream)>, String> {
        let rt = self.rt();
        let string: syn::Type = syn::parse_quote!(::std::string::String);
        let text = match self.ir.conversions.get(at) {
            None => false,
            Some(Conversion::Text) => true,
            // Parsed or wrapped in a list: read from its JSON, as the conversion writes it.
            Some(Conversion::Parse | Conversion::Wrap { .. }) => return Ok(None),
        };
        Ok(match v {
            ValueIr::Text(s) => Some((string, quote!(::std::string::String::from(#s)))),
            ValueIr::Template(_) => Some((string, self.string(v, false, required, diags, at)?)),
            ValueIr::Const(Value::Bool(b)) if text => {
                let s = b.to_string();
                Some((string, quote!(::std::string::String::from(#s))))
            }
            ValueIr::Const(Value::Bool(b)) => Some((syn::parse_quote!(bool), quote!(#b))),
            ValueIr::Expr(e) => {
                let ty = match e {
                    _ if text => Some(string.clone()),
                    Expr::Inputs(n) if self.input_in_json(n).is_none() => {
                        self.input_fields.get(&n.name).map(|f| f.ty.clone())
                    }
                    Expr::Steps(n) if n.pointer.is_none() => {
                        let (_, t) = self.step_output_local(n)?;
                        syn::parse_str::<syn::Type>(&t.rust()).ok()
                    }
                    Expr::SelfUri | Expr::SourceDescriptions(_) => Some(string.clone()),
                    _ => None,
                };
                match ty {
                    Some(ty) => {
                        let value = self.expr(e, false, required, diags, at)?;
                        let value = if text {
                            quote!(#rt::text(&#value))
                        } else {
                            value
                        };
                        Some((ty, value))
                    }
                    None => None,
                }
            }
            _ => None,
        })
    }
}

/// A constant number as a field of type `ty` takes it from JSON: an integer that fits the
/// integer type, any number as an `f64`; `None` where reading it would fail or take
/// another type.
fn number(n: &serde_json::Number, ty: &syn::Type) -> Option<TokenStream> {
    let syn::Type::Path(p) = ty else { return None };
    let name = p.path.get_ident()?.to_string();
    let int = |fits: bool, lit: proc_macro2::Literal| fits.then(|| lit.to_token_stream());
    let (i, u) = (n.as_i64(), n.as_u64());
    match name.as_str() {
        "f64" => n
            .as_f64()
            .map(|f| proc_macro2::Literal::f64_suffixed(f).to_token_stream()),
        "i64" => i.map(|i| proc_macro2::Literal::i64_suffixed(i).to_token_stream()),
        "i32" => int(
            i.is_some_and(|i| i32::try_from(i).is_ok()),
            proc_macro2::Literal::i64_unsuffixed(i?),
        ),
        "u64" => u.map(|u| proc_macro2::Literal::u64_suffixed(u).to_token_stream()),
        "u32" => int(
            u.is_some_and(|u| u32::try_from(u).is_ok()),
            proc_macro2::Literal::u64_unsuffixed(u?),
        ),
        _ => None,
    }
}

/// The name of a type of the client's module (a path of one segment without arguments).
fn local_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let s = &p.path.segments[0];
            s.arguments.is_empty().then(|| s.ident.to_string())
        }
        _ => None,
    }
}

/// `::std::vec::Vec`.
pub(super) const VEC: [&str; 3] = ["std", "vec", "Vec"];

/// `V` of a `BTreeMap<String, V>` or `HashMap<String, V>` of `std`.
fn string_map(ty: &syn::Type) -> Option<&syn::Type> {
    let string: syn::Type = syn::parse_quote!(::std::string::String);
    let maps = [
        ["std", "collections", "BTreeMap"],
        ["std", "collections", "HashMap"],
    ];
    let args = maps.iter().find_map(|m| type_args(ty, m))?;
    match args.as_slice() {
        [k, v] if **k == string => Some(v),
        _ => None,
    }
}

/// Whether `ty` is made only of `String`, `bool`, `i64`, `f64`, `Option` and `Vec`: a type that
/// means the same in every module, and whose values serialise as JSON deserialises them.
fn std_value(ty: &syn::Type) -> bool {
    let scalars: [syn::Type; 4] = [
        syn::parse_quote!(::std::string::String),
        syn::parse_quote!(bool),
        syn::parse_quote!(i64),
        syn::parse_quote!(f64),
    ];
    scalars.contains(ty)
        || option_of(ty).is_some_and(std_value)
        || generic_of(ty, &VEC).is_some_and(std_value)
}

/// A type of the client's `types` module as code outside it names it: each type of the module
/// (a path of one segment that is not a primitive) under `module::types`; `None` for a path
/// relative to somewhere else.
fn outside(ty: &syn::Type, module: &syn::Ident) -> Option<TokenStream> {
    struct Outside<'m>(&'m syn::Ident, bool);
    impl syn::visit_mut::VisitMut for Outside<'_> {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            const PRIMITIVES: [&str; 17] = [
                "bool", "char", "str", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16",
                "u32", "u64", "u128", "usize", "f32", "f64",
            ];
            if path.leading_colon.is_none() {
                let local = path.segments.len() == 1
                    && !PRIMITIVES.iter().any(|p| path.segments[0].ident == p);
                if local {
                    let module = self.0.clone();
                    *path = syn::parse_quote!(#module::types::#path);
                } else if path.segments.len() != 1 {
                    self.1 = false;
                }
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    let mut ty = ty.clone();
    let mut visit = Outside(module, true);
    syn::visit_mut::VisitMut::visit_type_mut(&mut visit, &mut ty);
    visit.1.then(|| ty.to_token_stream())
}
