//! Values fed into requests: constants, expressions and string templates, as Rust values
//! or JSON.

use super::*;

impl Workflow_<'_> {
    /// A value for a parameter (`strict`: a required input must be present) or a payload.
    pub(super) fn value(
        &self,
        v: &ValueIr,
        strict: bool,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        match v {
            ValueIr::Text(_) | ValueIr::Expr(_) | ValueIr::Template(_) => {
                self.string(v, strict, required, diags, at)
            }
            other => self.json(other, required, diags, at),
        }
    }

    /// A value as the inside of `serde_json::json!`.
    pub(super) fn json(
        &self,
        v: &ValueIr,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        Ok(match v {
            ValueIr::Object(m) => {
                let entries = m
                    .iter()
                    .map(|(k, v)| {
                        let value = self.json(v, required, diags, &child(at, k))?;
                        Ok(quote! { #k: #value })
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                quote! { { #(#entries),* } }
            }
            ValueIr::Array(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.json(v, required, diags, &index(at, i)))
                    .collect::<Result<Vec<_>, String>>()?;
                quote! { [ #(#items),* ] }
            }
            ValueIr::Const(Value::Null) => quote!(null),
            leaf => {
                let e = match leaf {
                    ValueIr::Const(Value::Bool(b)) => quote!(#b),
                    ValueIr::Const(n) => {
                        n.to_string().parse().map_err(|_| "a number".to_string())?
                    }
                    text => self.string(text, false, required, diags, at)?,
                };
                match self.ir.conversions.get(at) {
                    Some(Conversion::Text) => quote! { (#rt::text(&#e)) },
                    Some(Conversion::Parse) => quote! { (#rt::scalar_from_text(&#e)) },
                    Some(Conversion::Wrap { parse }) => {
                        quote! { (#rt::one_element(&#e, #parse)) }
                    }
                    None => quote! { (#e) },
                }
            }
        })
    }

    /// A string value: constant text, one expression, or a template.
    pub(super) fn string(
        &self,
        v: &ValueIr,
        strict: bool,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        match v {
            ValueIr::Expr(e) => self.expr(e, strict, required, diags, at),
            ValueIr::Template(segs) => {
                let parts = segs
                    .iter()
                    .map(|seg| match seg {
                        Segment::Text(t) => Ok(quote!(#t)),
                        Segment::Expr(e, _) => {
                            let v = self.expr(e, strict, required, diags, at)?;
                            Ok(quote!(&#rt::text(&#v)))
                        }
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Ok(quote! { [#(#parts),*].concat() })
            }
            ValueIr::Text(s) => Ok(quote!(#s)),
            _ => Err("a structured value where a string belongs".into()),
        }
    }

    pub(super) fn expr(
        &self,
        e: &Expr,
        strict: bool,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        match e {
            Expr::Inputs(n) => {
                if let Some(value) = self.input_in_json(n) {
                    return Ok(value);
                }
                let name = n.name.as_str();
                let value = self.input_field(name);
                if required.iter().any(|r| r == name) {
                    Ok(value)
                } else if strict {
                    diags.push(
                        Diagnostic::warning(format!(
                            "`$inputs.{name}` feeds a required value but the input is optional; a run without it fails with a missing-input error"
                        )).kind("optional-input")
                        .at(self.input.ws.files.loc(self.file, at))
                        .help(format!("list `{name}` under the inputs schema's `required`")),
                    );
                    Ok(quote!(#rt::required(#value, #name)?))
                } else {
                    Ok(value)
                }
            }
            // 1.1: the document's own URI, known when the code is generated.
            Expr::SelfUri => {
                let uri = self
                    .document()
                    .doc
                    .self_uri
                    .as_deref()
                    .ok_or("`$self` in a document without one")?;
                Ok(quote!(::std::string::String::from(#uri)))
            }
            // A field of a source description (`url`, `name`, `type`), known now.
            Expr::SourceDescriptions(rest) => {
                match crate::resolve::source_ref(self.input.ws, self.document(), rest) {
                    Some(crate::resolve::SourceRef::Field(v)) => {
                        Ok(quote!(::std::string::String::from(#v)))
                    }
                    _ => Err(format!(
                        "`$sourceDescriptions.{rest}` names an operation or workflow, not a value"
                    )),
                }
            }
            Expr::Steps(n) if n.pointer.is_some() => self.step_output_in_json(n),
            Expr::Steps(n) => self.step_local(n),
            Expr::Workflows(n) => self.workflow_output(n),
            _ => Err("a value reads what this stage does not read yet".into()),
        }
    }

    /// The scalar type of a parameter value that is always there: text, a template, an input
    /// (a missing one is an error before the request), or a required output.
    pub(super) fn plain_type(&self, v: &ValueIr) -> Option<ValueType> {
        let e = match v {
            ValueIr::Text(_) | ValueIr::Template(_) => return Some(ValueType::String),
            ValueIr::Expr(e) => e,
            _ => return None,
        };
        let t = crate::infer::of_request_expr(
            self.input.ws,
            self.wf.inputs.as_ref(),
            &self.ir.types,
            e,
        );
        let present = match e {
            Expr::Inputs(n) => n.pointer.is_none(),
            Expr::Steps(_) => t.required,
            _ => false,
        };
        let scalar = matches!(
            t.ty,
            ValueType::String | ValueType::Integer | ValueType::Number | ValueType::Boolean
        );
        (present && scalar).then_some(t.ty)
    }
}
