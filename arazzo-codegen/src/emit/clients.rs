//! One client module per OpenAPI source: the description normalised, handed to Progenitor,
//! and wrapped with the settings and hooks that put requests on the wire as the description
//! says (form encoding, authentication, no stray headers).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::Files;
use crate::openapi::normalise::{self, FieldStyle, Normalised, OperationUse};
use crate::openapi::OpenApiDoc;
use crate::settings::SecurityScheme;

/// A security scheme the client can apply.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Auth {
    /// An API key in a header.
    HeaderKey { scheme: String, header: String },
    /// An API key in the query string.
    QueryKey { scheme: String, param: String },
    /// HTTP bearer.
    Bearer { scheme: String },
    /// HTTP basic.
    Basic { scheme: String },
}

impl Auth {
    fn scheme(&self) -> &str {
        match self {
            Auth::HeaderKey { scheme, .. }
            | Auth::QueryKey { scheme, .. }
            | Auth::Bearer { scheme }
            | Auth::Basic { scheme } => scheme,
        }
    }
}

fn auth_schemes(
    doc: &OpenApiDoc,
    source: &str,
    supplied: &BTreeMap<(String, String), SecurityScheme>,
    diags: &mut Diagnostics,
    files: &Files,
) -> Vec<Auth> {
    let mut out = Vec::new();
    let schemes = doc
        .raw
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(Value::as_object);
    if let Some(schemes) = schemes {
        for (name, s) in schemes {
            let s = crate::openapi::deref(&doc.raw, s);
            let kind = s.get("type").and_then(Value::as_str).unwrap_or("");
            let at = format!(
                "/components/securitySchemes/{}",
                crate::source::escape_token(name)
            );
            let auth = match (
                kind,
                s.get("in").and_then(Value::as_str),
                s.get("scheme").and_then(Value::as_str),
            ) {
                ("apiKey", Some("header"), _) => {
                    s.get("name")
                        .and_then(Value::as_str)
                        .map(|h| Auth::HeaderKey {
                            scheme: name.clone(),
                            header: h.to_string(),
                        })
                }
                ("apiKey", Some("query"), _) => {
                    s.get("name")
                        .and_then(Value::as_str)
                        .map(|q| Auth::QueryKey {
                            scheme: name.clone(),
                            param: q.to_string(),
                        })
                }
                ("http", _, Some(sch)) if sch.eq_ignore_ascii_case("bearer") => {
                    Some(Auth::Bearer {
                        scheme: name.clone(),
                    })
                }
                ("http", _, Some(sch)) if sch.eq_ignore_ascii_case("basic") => Some(Auth::Basic {
                    scheme: name.clone(),
                }),
                _ => None,
            };
            match auth {
                Some(a) => out.push(a),
                None => diags.push(
                    Diagnostic::note(format!(
                        "security scheme `{name}` of `{source}` ({kind}) is not applied by the generated client; set the credentials on the `reqwest::Client` you pass in"
                    )).kind("security")
                    .at(files.loc(doc.file, &at)),
                ),
            }
        }
    }
    // Schemes a `security` requirement names but the description does not define.
    let mut named = BTreeSet::new();
    let mut collect = |v: Option<&Value>| {
        if let Some(Value::Array(reqs)) = v {
            for r in reqs {
                if let Value::Object(m) = r {
                    named.extend(m.keys().cloned());
                }
            }
        }
    };
    collect(doc.raw.get("security"));
    for op in &doc.operations {
        collect(doc.raw.pointer(&op.pointer).and_then(|o| o.get("security")));
    }
    for name in named {
        if schemes.is_some_and(|s| s.contains_key(&name)) {
            continue;
        }
        if let Some(kind) = supplied.get(&(source.to_string(), name.clone())) {
            let (auth, what) = match kind {
                SecurityScheme::HttpBasic => (
                    Auth::Basic {
                        scheme: name.clone(),
                    },
                    "HTTP basic".to_string(),
                ),
                SecurityScheme::HttpBearer => (
                    Auth::Bearer {
                        scheme: name.clone(),
                    },
                    "HTTP bearer".to_string(),
                ),
                SecurityScheme::ApiKeyHeader(h) => (
                    Auth::HeaderKey {
                        scheme: name.clone(),
                        header: h.clone(),
                    },
                    format!("an API key in the `{h}` header"),
                ),
                SecurityScheme::ApiKeyQuery(q) => (
                    Auth::QueryKey {
                        scheme: name.clone(),
                        param: q.clone(),
                    },
                    format!("an API key in the `{q}` query parameter"),
                ),
            };
            diags.push(
                Diagnostic::warning(format!(
                    "`{source}` requires security scheme `{name}` but does not define it; the build script's definition ({what}) is used"
                )).kind("security")
                .at(files.loc(doc.file, "/security")),
            );
            out.push(auth);
            continue;
        }
        let lower = name.to_ascii_lowercase();
        let guess = if lower.contains("basic") {
            Some(Auth::Basic {
                scheme: name.clone(),
            })
        } else if lower.contains("bearer") || lower.contains("token") || lower.contains("oauth") {
            Some(Auth::Bearer {
                scheme: name.clone(),
            })
        } else {
            None
        };
        let d = match &guess {
            Some(g) => Diagnostic::warning(format!(
                "`{source}` requires security scheme `{name}` but does not define it; it is taken as HTTP {} from its name",
                if matches!(g, Auth::Basic { .. }) { "basic" } else { "bearer" }
            )).kind("security")
            .help("define it under `components.securitySchemes` to make this explicit"),
            None => Diagnostic::warning(format!(
                "`{source}` requires security scheme `{name}` but does not define it; no credentials are sent for it"
            )).kind("security")
            .help("define it under `components.securitySchemes`, or set the credentials on the `reqwest::Client` you pass in"),
        };
        diags.push(d.at(files.loc(doc.file, "/security")));
        out.extend(guess);
    }
    out.sort_by(|a, b| a.scheme().cmp(b.scheme()));
    out.dedup();
    out
}

/// What one client module is generated from.
pub struct ClientSource<'a> {
    /// The module's identifier.
    pub module: &'a str,
    /// The source description's name.
    pub source: &'a str,
    /// The loaded description.
    pub doc: &'a OpenApiDoc,
    /// The pointers of the operations the workflows call.
    pub used: &'a BTreeSet<String>,
    /// Whether to keep the operations no workflow calls.
    pub keep_all: bool,
    /// What the workflows use of each operation, by pointer, when the types are cut down to
    /// that (lean types); `None` keeps them whole.
    pub lean: Option<&'a BTreeMap<String, OperationUse>>,
    /// Security schemes the build script supplies, by (source, scheme).
    pub security: &'a BTreeMap<(String, String), SecurityScheme>,
    /// The header this source takes an idempotency key in, if the build script names one.
    pub idempotency_header: Option<&'a str>,
    /// How the code names the runtime crate.
    pub runtime: &'a super::Runtime,
}

/// A generated client module, and what workflow code needs to call it.
pub struct ClientModule {
    /// The module's tokens.
    pub tokens: TokenStream,
    /// Operation pointer (in the description) to its request builder.
    pub ops: BTreeMap<String, super::api::OpApi>,
    /// What its `types` module holds that a request body is built from.
    pub types: super::api::TypesApi,
    /// The crates its code names beyond those every file needs.
    pub needs: super::Needs,
}

/// Generates the client module for one source; `None` when its description cannot be used
/// (the diagnostics say why).
pub fn client_module(
    spec: &ClientSource<'_>,
    files: &Files,
    diags: &mut Diagnostics,
) -> Option<ClientModule> {
    let ClientSource {
        module,
        source,
        doc,
        used,
        keep_all,
        lean,
        security,
        idempotency_header,
        runtime,
    } = *spec;
    let display = files.get(doc.file).display().to_string();
    let mut n = normalise::normalise(&doc.raw, used, keep_all, lean);
    if let Some(header) = idempotency_header {
        declare_idempotency_header(&mut n.doc, header);
    }
    let mut fatal = false;
    for c in &n.changes {
        let d = if c.fatal {
            fatal = true;
            Diagnostic::error(c.message.clone())
        } else {
            Diagnostic::warning(c.message.clone()).kind(c.kind)
        };
        diags.push(d.at(files.loc(doc.file, &c.pointer)));
    }
    if fatal {
        return None;
    }
    let mut fixes = Vec::new();
    let generated = super::generator::generate(&mut n, &mut fixes);
    for fix in fixes {
        let (name, message) = match fix {
            super::generator::NameFix::Renamed(old, new) => {
                let m = format!("schema `{old}` would get the same Rust name as a type the client generator derives for another schema; it is generated as `{new}`");
                (old, m)
            }
            super::generator::NameFix::Untyped(name) => {
                let m = format!("schema `{name}` makes two types of one name in the client generator; it is read as untyped JSON");
                (name, m)
            }
        };
        diags.push(Diagnostic::warning(message).kind("renamed").at(files.loc(
            doc.file,
            &crate::source::child("/components/schemas", &name),
        )));
    }
    let progenitor = match generated {
        Ok(t) => t,
        // With every operation kept, those no workflow calls that the client generator fails
        // on are left out, as the normaliser leaves out those it cannot repair.
        Err(cause) => match keep_all
            .then(|| super::generator::leave_out_failing(&mut n, used))
            .flatten()
        {
            Some((tokens, left_out)) => {
                for (pointer, why) in left_out {
                    diags.push(
                        Diagnostic::warning(format!(
                            "this operation is left out of the client: no workflow calls it, and the client generator fails on it: {why}"
                        ))
                        .kind("left-out")
                        .at(files.loc(doc.file, &pointer)),
                    );
                }
                tokens
            }
            None => {
                let culprit = super::generator::culprit(&n);
                let d = Diagnostic::error(format!(
                    "internal error: the client generator failed on `{source}` ({display}){}: {cause}",
                    culprit.map(|c| format!(", operation `{c}`")).unwrap_or_default()
                ))
                .help("this is a gap in arazzo-codegen's normalisation; please report it with the description");
                diags.push(d);
                return None;
            }
        },
    };
    let super::generator::Made {
        tokens: progenitor,
        needs,
    } = progenitor;
    let api = super::api::read(&progenitor);
    let mut ops = BTreeMap::new();
    // The description's own path for each path the normaliser rewrote (`{+name}` read as
    // `{name}`): steps name operations by the description's pointers.
    let own_paths: BTreeMap<String, &String> = doc
        .raw
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(p, _)| (p.replace("{+", "{"), p))
        .collect();
    if let Some(Value::Object(paths)) = n.doc.get("paths") {
        for (path, item) in paths {
            let path = own_paths.get(path).copied().unwrap_or(path);
            for (m, op) in item.as_object().into_iter().flatten() {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                if let Some((_, o)) = client_method(&api.ops, id) {
                    let pointer = crate::source::child(&crate::source::child("/paths", path), m);
                    let mut o = o.clone();
                    o.dropped = n
                        .dropped_params
                        .iter()
                        .filter(|(at, _)| *at == pointer)
                        .map(|(_, name)| name.clone())
                        .collect();
                    ops.insert(pointer, o);
                }
            }
        }
    }
    let auth = auth_schemes(doc, source, security, diags, files);
    let module = syn::parse_str::<syn::Ident>(module).ok()?;
    let settings = settings_tokens(&auth, runtime);
    // Progenitor reports operations to hooks by the names of their methods.
    let method_of = |id: &str| {
        client_method(&api.ops, id).map_or_else(
            || heck::ToSnakeCase::to_snake_case(id),
            |(name, _)| name.clone(),
        )
    };
    let hooks = hooks_tokens(&auth, &n, &method_of, runtime);
    let title = format!("Client for the `{source}` source ({display}).");
    let tokens = quote! {
        #[doc = #title]
        // The client generator's code, as it writes it: typify names the enum values `+1` and
        // `-1` `plus1` and `minus1`, whatever the case of the other variants.
        #[allow(clippy::all, unused_imports, unused_comparisons, dead_code, unused_mut, non_camel_case_types)]
        pub mod #module {
            #progenitor
            #settings
            #hooks
        }
    };
    Some(ClientModule {
        tokens,
        ops,
        types: api.types,
        needs,
    })
}

/// The `Settings` field of each scheme: distinct even where two scheme names are one in
/// snake case (`bearerAuth`, `BearerAuth`).
fn setting_fields(auth: &[Auth]) -> Vec<proc_macro2::Ident> {
    // The fixed fields come first, so a scheme of the same name gets another.
    let mut names: Vec<&str> = FIXED_SETTINGS.to_vec();
    names.extend(auth.iter().map(Auth::scheme));
    crate::names::distinct(&names, crate::names::Case::Snake)
        .iter()
        .skip(FIXED_SETTINGS.len())
        .map(|f| format_ident!("{}", f.trim_start_matches("r#")))
        .collect()
}

/// The `Settings` fields every client has.
const FIXED_SETTINGS: &[&str] = &["send_api_version", "whole_responses"];

fn settings_tokens(auth: &[Auth], runtime: &super::Runtime) -> TokenStream {
    let rt = runtime.public();
    let fields = auth.iter().zip(setting_fields(auth)).map(|(a, f)| {
        let doc = match a {
            Auth::HeaderKey { header, .. } => format!(
                "API key sent in the `{header}` header (scheme `{}`).",
                a.scheme()
            ),
            Auth::QueryKey { param, .. } => format!(
                "API key sent as the `{param}` query parameter (scheme `{}`).",
                a.scheme()
            ),
            Auth::Bearer { .. } => format!(
                "Token sent as `Authorization: Bearer …` (scheme `{}`).",
                a.scheme()
            ),
            Auth::Basic { .. } => format!(
                "User name and password sent as HTTP basic (scheme `{}`).",
                a.scheme()
            ),
        };
        match a {
            Auth::Basic { .. } => quote! {
                #[doc = #doc]
                pub #f: ::std::option::Option<(#rt::Secret, #rt::Secret)>,
            },
            _ => quote! {
                #[doc = #doc]
                pub #f: ::std::option::Option<#rt::Secret>,
            },
        }
    });
    quote! {
        /// Per-client settings: credentials for each security scheme, whether to send
        /// the generator's `api-version` header (off unless asked for), and whether to
        /// decode responses. Credentials never appear in `Debug` output.
        #[derive(Clone, Debug, Default)]
        pub struct Settings {
            #(#fields)*
            /// Send `api-version: <description version>` on every request.
            pub send_api_version: bool,
            /// Do not decode responses: every response comes back whole, undecoded, as
            /// `Error::UnexpectedResponse`. Within a generated workflow's step every response
            /// comes back this way, set or not, so a step reads only the fields it uses.
            pub whole_responses: bool,
        }

        impl Client {
            /// This client with [`Settings::whole_responses`] set: responses come back
            /// whole, as the generated workflows' steps read them.
            pub fn whole_responses(&self) -> Self {
                Client::new_with_client(
                    progenitor_client::ClientInfo::baseurl(self),
                    progenitor_client::ClientInfo::client(self).clone(),
                    Settings {
                        whole_responses: true,
                        ..self.inner.clone()
                    },
                )
            }
        }
    }
}

fn hooks_tokens(
    auth: &[Auth],
    n: &Normalised,
    method_of: &dyn Fn(&str) -> String,
    runtime: &super::Runtime,
) -> TokenStream {
    let rt = runtime.private();
    let apply = auth.iter().zip(setting_fields(auth)).map(|(a, f)| match a {
        Auth::HeaderKey { header, .. } => {
            let set = match static_header_name(header) {
                // A name known valid is made once, at compile time.
                Some(name) => quote! {
                    const NAME: ::reqwest::header::HeaderName =
                        ::reqwest::header::HeaderName::from_static(#name);
                    #rt::set_credential(request, NAME, key.expose())
                },
                None => quote!(#rt::set_header(request, #header, key.expose())),
            };
            quote! {
                if let ::std::option::Option::Some(key) = &self.inner.#f {
                    #set.map_err(progenitor_client::Error::Custom)?;
                }
            }
        }
        Auth::QueryKey { param, .. } => quote! {
            if let ::std::option::Option::Some(key) = &self.inner.#f {
                request.url_mut().query_pairs_mut().append_pair(#param, key.expose());
            }
        },
        Auth::Bearer { .. } => quote! {
            if let ::std::option::Option::Some(token) = &self.inner.#f {
                let value = ::std::format!("Bearer {}", token.expose());
                #rt::set_credential(request, ::reqwest::header::AUTHORIZATION, &value)
                    .map_err(progenitor_client::Error::Custom)?;
            }
        },
        Auth::Basic { .. } => quote! {
            if let ::std::option::Option::Some((user, password)) = &self.inner.#f {
                let value = #rt::basic(user.expose(), password.expose());
                #rt::set_credential(request, ::reqwest::header::AUTHORIZATION, &value)
                    .map_err(progenitor_client::Error::Custom)?;
            }
        },
    });
    let forms = n.forms.iter().map(|(op, enc)| {
        let op = method_of(op);
        let styles = enc.fields.iter().map(|(field, s)| {
            let s = match s {
                FieldStyle::DeepObject => quote!(#rt::Style::DeepObject),
                FieldStyle::FormExplode => quote!(#rt::Style::FormExplode),
                FieldStyle::Form => quote!(#rt::Style::Form),
            };
            quote!((#field, #s))
        });
        quote! { #op => ::std::option::Option::Some(&[#(#styles),*]), }
    });
    // JSON bodies whose declared media type is not `application/json` go out as declared.
    let (content_type_fn, content_type_call) = if n.content_types.is_empty() {
        (TokenStream::new(), TokenStream::new())
    } else {
        let arms = n.content_types.iter().map(|(op, ct)| {
            let op = method_of(op);
            quote! { #op => ::std::option::Option::Some(#ct), }
        });
        (
            by_operation(
                "The media type of each operation whose JSON body is declared as another.",
                format_ident!("content_type"),
                quote!(&'static str),
                arms,
            ),
            quote! {
                if let ::std::option::Option::Some(ct) = content_type(info.operation_id) {
                    #rt::set_header(request, "content-type", ct)
                        .map_err(progenitor_client::Error::Custom)?;
                }
            },
        )
    };
    // Bodies sent as `multipart/form-data`, with the fields that go as files.
    let (multipart_fn, multipart_call) = if n.multipart.is_empty() {
        (TokenStream::new(), TokenStream::new())
    } else {
        let arms = n.multipart.iter().map(|(op, files)| {
            let op = method_of(op);
            quote! { #op => ::std::option::Option::Some(&[#(#files),*]), }
        });
        (
            by_operation(
                "The fields sent as files of each operation whose body is sent as `multipart/form-data`.",
                format_ident!("multipart_files"),
                quote!(&'static [&'static str]),
                arms,
            ),
            quote! {
                if let ::std::option::Option::Some(files) = multipart_files(info.operation_id) {
                    #rt::to_multipart(request, files)
                        .map_err(progenitor_client::Error::Custom)?;
                }
            },
        )
    };
    let form_styles = by_operation(
        "The form encoding of each operation whose body is sent as a form.",
        format_ident!("form_styles"),
        quote!(&'static [(&'static str, #rt::Style)]),
        forms,
    );
    quote! {
        #content_type_fn
        #multipart_fn
        #form_styles

        impl progenitor_client::ClientHooks<Settings> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                if !self.inner.send_api_version {
                    #rt::drop_api_version(request);
                }
                #rt::one_slash(request);
                #(#apply)*
                if let ::std::option::Option::Some(styles) = form_styles(info.operation_id) {
                    #rt::to_form(request, styles)
                        .map_err(progenitor_client::Error::Custom)?;
                }
                #multipart_call
                #content_type_call
                // A response read whole is sent here and comes back before anything
                // decodes it.
                #rt::send_whole(
                    progenitor_client::ClientInfo::client(self),
                    request,
                    self.inner.whole_responses,
                )
                .await
            }

            // Any other response keeps the URL requested, for `$url`.
            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                #rt::execute(progenitor_client::ClientInfo::client(self), request).await
            }
        }
    }
}

/// A header name as `HeaderName::from_static` takes it (lower case, token characters only),
/// or `None` for a name that must be checked when the request is made (it would not compile
/// as a constant).
fn static_header_name(header: &str) -> Option<String> {
    let lower = header.to_ascii_lowercase();
    let token =
        |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b);
    (!lower.is_empty() && lower.bytes().all(token)).then_some(lower)
}

/// `fn name(operation_id: &str) -> Option<ret>`, one match arm per operation listed.
fn by_operation(
    doc: &str,
    name: proc_macro2::Ident,
    ret: TokenStream,
    arms: impl Iterator<Item = TokenStream>,
) -> TokenStream {
    // As `/// text` writes it.
    let doc = format!(" {doc}");
    quote! {
        #[doc = #doc]
        fn #name(operation_id: &str) -> ::std::option::Option<#ret> {
            match operation_id {
                #(#arms)*
                _ => ::std::option::Option::None,
            }
        }
    }
}

/// Declares the idempotency-key header on every POST and PATCH operation that does not already,
/// so that the client's builders take it (`.idempotency_key(..)` for `Idempotency-Key`).
fn declare_idempotency_header(doc: &mut Value, header: &str) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for item in paths.values_mut() {
        for method in ["post", "patch"] {
            let Some(Value::Object(op)) = item.get_mut(method) else {
                continue;
            };
            let params = op
                .entry("parameters")
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(params) = params else {
                continue;
            };
            let declared = params.iter().any(|p| {
                p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(header))
            });
            if !declared {
                params.push(serde_json::json!({
                    "name": header,
                    "in": "header",
                    "required": false,
                    "description": "An idempotency key: a retried request with the same key is applied once.",
                    "schema": { "type": "string" }
                }));
            }
        }
    }
}

/// The client's method for operationId `id` (its name and what the client offers), as the client
/// generator names it: its snake case, else the one method whose name is the same letters and
/// digits (`bigquery.datasets.list` is `bigquery_datasets_list`; `4odFeed` keeps its digit first).
fn client_method<'a, T>(ops: &'a BTreeMap<String, T>, id: &str) -> Option<(&'a String, &'a T)> {
    if let Some(found) = ops.get_key_value(&heck::ToSnakeCase::to_snake_case(id)) {
        return Some(found);
    }
    let bare = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let want = bare(id);
    let mut found = ops.iter().filter(|(name, _)| bare(name) == want);
    match (found.next(), found.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}
