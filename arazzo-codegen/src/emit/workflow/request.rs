//! An operation step's request: parameters, body, idempotency key, and the exchange.

use super::*;
use crate::openapi::normalise::Used;

impl Workflow_<'_> {
    /// A step's request, its success criteria, and the reads of its outputs.
    pub(super) fn step_parts(
        &mut self,
        si: usize,
        step: &Step,
        required: &[String],
        diags: &mut Diagnostics,
    ) -> Result<StepParts, String> {
        let rt = self.rt();
        let sid = step.step_id.as_str();
        let sat = index(&child(&self.at, "steps"), si);
        if let Some(Target::Workflow { doc, workflow }) = self.ir.steps.get(si).map(|s| &s.target) {
            return self.workflow_step(si, step, (*doc, *workflow), required, diags);
        }
        let Some(Target::Operation {
            openapi,
            operation,
            source,
        }) = self.ir.steps.get(si).map(|s| &s.target)
        else {
            return Err(format!("step `{sid}` does not call an operation of this document's sources or one of its workflows"));
        };
        let pointer = &self.input.ws.openapi[*openapi].operations[*operation].pointer;
        let client = self
            .input
            .clients
            .get(source)
            .ok_or_else(|| format!("no client for `{source}`"))?;
        let op = client.ops.get(pointer).ok_or_else(|| {
            format!("the client of `{source}` lacks the operation of step `{sid}`")
        })?;
        // A response that is not JSON comes as a byte stream, read whole.
        let exchange = if op.byte_stream {
            quote!(#rt::exchange_stream)
        } else if op.error_stream {
            quote!(#rt::exchange_bare_errors)
        } else {
            quote!(#rt::exchange)
        };
        // Only what the step's expressions read of the response is built from it.
        let select = select_tokens(&rt, &self.ir.steps[si].uses.response);
        let module: syn::Ident = syn::parse_str(&client.ident).map_err(|e| e.to_string())?;
        let clients_field = format_ident!("{}", client.ident.trim_start_matches("r#"));
        let method = format_ident!("{}", op.method);
        let mut setters = TokenStream::new();
        for p in self.ir.steps[si]
            .parameters
            .iter()
            .filter(|p| p.location.is_some())
        {
            if op.dropped.contains(&p.name) {
                diags.push(
                    Diagnostic::error(format!("parameter `{}` of step `{sid}` cannot be sent: the generated client leaves it out, as its Rust name is taken (by another parameter of the operation, or by a method of the request builder)", p.name))
                        .at(self.input.ws.files.loc(self.file, &p.at))
                        .help("see the `renamed` warning on the description for what takes the name"),
                );
                continue;
            }
            let Some((setter, ty)) = setter_of(op, &p.name) else {
                diags.push(
                    Diagnostic::warning(format!("parameter `{}` of step `{sid}` is not sent: the generated client has no setter for it", p.name)).kind("unsent-parameter")
                        .at(self.input.ws.files.loc(self.file, &child(&sat, "parameters"))),
                );
                continue;
            };
            let vat = child(&p.at, "value");
            let name_for_parse = p.name.as_str();
            let mut conversion = self.ir.conversions.get(&vat).copied();
            // A list the client takes as one string (the normaliser joined its items): the
            // single value goes as it is.
            let takes_list = syn::parse2::<syn::Type>(ty.clone())
                .ok()
                .is_some_and(|t| crate::emit::api::generic_of(&t, &super::body::VEC).is_some());
            if matches!(conversion, Some(Conversion::Wrap { .. })) && !takes_list {
                conversion = None;
            }
            let converted = conversion == Some(Conversion::Text);
            let mut value = self.value(&p.read, true, required, diags, &vat)?;
            match conversion {
                Some(Conversion::Text) => value = quote!(#rt::text(&#value)),
                Some(Conversion::Parse) => {
                    value = quote!(#rt::parse_json(#sid, #name_for_parse, &#value)?)
                }
                Some(Conversion::Wrap { parse: true }) => {
                    value = quote!(
                        ::serde_json::json!([#rt::parse_json(#sid, #name_for_parse, &#value)?])
                    )
                }
                Some(Conversion::Wrap { parse: false }) => {
                    value = quote!(::serde_json::json!([#value]))
                }
                None => {}
            }
            let name = p.name.as_str();
            let s = format_ident!("{setter}");
            let setter_type = syn::parse2::<syn::Type>(ty.clone()).ok();
            let source = if converted {
                Some(ValueType::String)
            } else {
                self.plain_type(&p.read)
            };
            let same_type = |t: ValueType| {
                syn::parse_str::<syn::Type>(&t.rust())
                    .ok()
                    .is_some_and(|t| Some(t) == setter_type)
            };
            if source.is_some_and(same_type) {
                // A value of the type the setter takes: no round trip through JSON.
                setters.extend(quote! { .#s(#value) });
            } else {
                let ty = qualify(ty, &module);
                let json = if matches!(
                    conversion,
                    Some(Conversion::Parse | Conversion::Wrap { .. })
                ) {
                    value
                } else {
                    quote!(::serde_json::json!(#value))
                };
                setters.extend(quote! {
                    .#s(#rt::parameter_from_json::<#ty>(#sid, #name, #json)?)
                });
            }
        }
        let mut body_decl = TokenStream::new();
        let body_ir = self.ir.steps[si].body.as_ref();
        if let Some(payload) = body_ir.and_then(|b| b.payload.as_ref()) {
            let ty = op
                .setters
                .get("body")
                .ok_or_else(|| format!("the operation of step `{sid}` takes no body"))?;
            let bat = child(&sat, "requestBody");
            let replacements = body_ir
                .map(|b| b.replacements.as_slice())
                .unwrap_or_default();
            // The client's typed body built directly, where nothing reads it back as JSON
            // and no replacement edits it; else read from the payload's JSON.
            let direct = if replacements.is_empty() && !self.ir.reads.request_body {
                let at = child(&bat, "payload");
                let types = &client.types;
                self.typed_body(payload, ty, types, &module, sid, required, diags, &at)?
            } else {
                None
            };
            // A body of raw bytes: the payload's text (a string as it is, anything else as its
            // JSON), with the replacements applied.
            let raw = syn::parse2::<syn::Type>(ty.clone()).is_ok_and(|t| {
                t == syn::parse_quote!(reqwest::Body) || t == syn::parse_quote!(::reqwest::Body)
            });
            let body = match direct {
                Some(typed) => typed,
                None if raw => {
                    let json = (payload, replacements);
                    let json_ty = quote!(::serde_json::Value);
                    let (decl, body) = self.json_body(si, json, &json_ty, required, diags, &bat)?;
                    body_decl = decl;
                    quote!(::reqwest::Body::from(#rt::text(&#body)))
                }
                None => {
                    let ty = qualify(ty, &module);
                    let json = (payload, replacements);
                    let (decl, body) = self.json_body(si, json, &ty, required, diags, &bat)?;
                    body_decl = decl;
                    body
                }
            };
            setters.extend(quote!(.body(#body)));
        }
        // An idempotency key for a POST or PATCH to a source that takes one: the run's key for
        // this visit of the step (the same on its retries).
        let mut key_decl = TokenStream::new();
        let mut keyed = false;
        let op_ir = &self.input.ws.openapi[*openapi].operations[*operation];
        let method_writes = matches!(op_ir.method.as_str(), "post" | "patch");
        if let Some(header) = self.input.idempotency.get(source).filter(|_| method_writes) {
            let setter = names::ident(header, Case::Snake);
            let setter = setter.trim_start_matches("r#");
            if op.setters.contains_key(setter) {
                let key = self.locals.key(si);
                let s = format_ident!("{setter}");
                setters.extend(quote!(.#s(#key)));
                key_decl = quote! { let #key = run.key(&visit); };
                keyed = true;
            }
        }
        let call_info = {
            let operation_id = op_ir.operation_id.as_deref().unwrap_or_default();
            let http_method = op_ir.method.to_ascii_uppercase();
            let path = op_ir.path.as_str();
            quote!(&#rt::Call { source: #source, operation: #operation_id, method: #http_method, path: #path })
        };
        let var = self.here(si);
        let criteria: Vec<(String, Test)> = if self.ir.steps[si].criteria.is_empty() {
            vec![(
                "a 2xx status".to_string(),
                Test::call(quote!((200..300).contains(&#var.status))),
            )]
        } else {
            self.ir.steps[si]
                .criteria
                .iter()
                .map(|c| Ok((c.text.clone(), self.criterion(c, &var)?)))
                .collect::<Result<_, String>>()?
        };
        let mut outputs = Vec::new();
        for o in &self.ir.steps[si].outputs {
            let name = o.name.as_str();
            let t = self.output_type(sid, name);
            // Read by a later expression? Unread outputs are still checked against the response.
            let local = self.locals.output(si, name);
            let e = o
                .expr
                .clone()
                .ok_or(format!("output `{name}` of step `{sid}` does not parse"))?;
            // The read, and whether it is an `Option` already.
            let (read, optional) = match &o.query {
                Some(query) => (self.selected_list(&e, query, &var, sid, name)?, false),
                None => self.output_read(e, &t, &var, sid, name)?,
            };
            // In a state machine every output is an `Option` until its step has run.
            let read = if self.state_machine && !optional {
                quote!(::std::option::Option::Some(#read))
            } else {
                read
            };
            outputs.push((name.to_string(), local, t, read));
        }
        // 1.1: a step's own `timeout` bounds each attempt; an `in: querystring` parameter is
        // sent as the whole query string.
        let timeout_ms = self.ir.steps[si].timeout_ms;
        let (send, timeout) = match (&self.ir.steps[si].querystring, timeout_ms) {
            (Some((read, at)), ms) => {
                let query = self.string(read, true, required, diags, at)?;
                let ms = match ms {
                    Some(ms) => quote!(::std::option::Option::Some(#ms)),
                    None => quote!(::std::option::Option::None),
                };
                (format_ident!("send_query"), quote!(#ms, #query,))
            }
            (None, Some(ms)) => (format_ident!("send_within"), quote!(#ms,)),
            (None, None) => (format_ident!("send"), TokenStream::new()),
        };
        Ok(StepParts {
            workflow_call: false,
            call: TokenStream::new(),
            status: None,
            keyed,
            request: quote! {
                #key_decl
                #body_decl
                let #var = run.#send(&visit, #call_info, #keyed, #timeout async {
                    #exchange(
                        #sid,
                        &#select,
                        clients.#clients_field.#method() #setters .send().await,
                    ).await
                }).await?;
            },
            var,
            criteria,
            outputs,
        })
    }
}

/// The runtime's `Select` for what a step reads of a response body.
fn select_tokens(rt: &TokenStream, used: &Used) -> TokenStream {
    match used {
        Used::All => quote!(#rt::Select::All),
        Used::Parts(parts) => {
            let keys = parts.iter().map(|(k, u)| {
                let s = select_tokens(rt, u);
                quote!((#k, #s))
            });
            let items = match used.items() {
                Some(u) => {
                    let s = select_tokens(rt, &u);
                    quote!(::std::option::Option::Some(&#s))
                }
                None => quote!(::std::option::Option::None),
            };
            quote!(#rt::Select::Members { keys: &[#(#keys),*], items: #items })
        }
    }
}

impl Workflow_<'_> {
    /// 1.1: the output that lists what a JSONPath query selects in the response body (the
    /// query was checked to parse at build time; it is compiled once per process).
    fn selected_list(
        &self,
        e: &Expr,
        query: &str,
        var: &Here,
        sid: &str,
        name: &str,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        let Expr::Response(MessagePart::Body(ptr)) = e else {
            return Err(format!(
                "output `{name}` of step `{sid}` selects from something other than the response body"
            ));
        };
        let ptr = ptr.as_ref().map(|p| p.to_string()).unwrap_or_default();
        Ok(quote!({
            static PATH: ::std::sync::LazyLock<
                ::std::option::Option<#rt::serde_json_path::JsonPath>,
            > = ::std::sync::LazyLock::new(|| #rt::serde_json_path::JsonPath::parse(#query).ok());
            let context = #rt::at(&#var.body, #ptr);
            ::serde_json::Value::Array(
                PATH.as_ref()
                    .map(|p| p.query(&context).all().into_iter().cloned().collect())
                    .unwrap_or_default(),
            )
        }))
    }

    /// The read of a step output that reads `e`, of type `t`, and whether it is an `Option`
    /// already.
    fn output_read(
        &self,
        e: Expr,
        t: &Typed,
        var: &Here,
        sid: &str,
        name: &str,
    ) -> Result<(TokenStream, bool), String> {
        let rt = self.rt();
        let ty = rust_type(t);
        Ok(match e {
            Expr::Response(MessagePart::Body(ref ptr))
            | Expr::Request(MessagePart::Body(ref ptr)) => {
                let ptr = ptr.as_ref().map(|p| p.to_string()).unwrap_or_default();
                let body = match e {
                    Expr::Request(_) => self.request_body(var)?,
                    _ => quote!(#var.body),
                };
                if t.required && !self.state_machine {
                    (
                        quote!(#rt::output::<#ty>(#sid, #name, &#body, #ptr)?),
                        false,
                    )
                } else {
                    let inner = rust_type(&Typed {
                        required: true,
                        ..t.clone()
                    });
                    (
                        quote!(#rt::optional_output::<#inner>(#sid, #name, &#body, #ptr)?),
                        true,
                    )
                }
            }
            Expr::Request(ref part) => {
                let v = self.request_parameter(part, var)?;
                (
                    quote!({
                        let v: ::serde_json::Value = #v;
                        (!v.is_null()).then(|| #rt::text(&v))
                    }),
                    true,
                )
            }
            Expr::StatusCode => (quote!(i64::from(#var.status)), false),
            Expr::Url => (quote!(#var.url.clone()), false),
            Expr::Method => {
                let m = self
                    .method_of(var)
                    .ok_or("`$method` outside an operation step")?;
                (quote!(::std::string::String::from(#m)), false)
            }
            Expr::Response(MessagePart::Header(h)) => {
                let h = h.as_str();
                (
                    quote!(#rt::header(&#var.headers, #h).as_str().map(str::to_string)),
                    true,
                )
            }
            // 1.1: typed from the response schema (see `infer`): read and checked.
            Expr::Steps(ref n) if n.pointer.is_some() && !matches!(t.ty, ValueType::Json(_)) => {
                (self.typed_step_output_read(n, sid, name, t)?, true)
            }
            Expr::Steps(ref n) if n.pointer.is_some() => {
                let v = self.step_output_in_json(n)?;
                (
                    quote!(::std::option::Option::Some(#v).filter(|v| !v.is_null())),
                    true,
                )
            }
            Expr::Steps(ref n) if self.state_machine => {
                let (local, t) = self.step_output_local(n)?;
                (copied(&local, &t), true)
            }
            Expr::Steps(ref n) => (self.step_local(n)?, !t.required),
            Expr::Inputs(ref n) if n.pointer.is_none() => (self.input_field(&n.name), !t.required),
            _ => {
                return Err(format!(
                    "output `{name}` of step `{sid}` reads what this stage does not read yet"
                ))
            }
        })
    }
}
