//! Values fed into requests: constants, expressions and string templates, as Rust values
//! or JSON.

use super::*;

impl Workflow_<'_> {
    /// A value for a parameter (`strict`: a required input must be present) or a payload.
    pub(super) fn value(
        &self,
        v: &Value,
        strict: bool,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        match v {
            Value::String(s) => self.string(s, strict, required, diags, at),
            other => self.json(other, required, diags, at),
        }
    }

    pub(super) fn json(
        &self,
        v: &Value,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        Ok(match v {
            Value::Object(m) => {
                let entries = m
                    .iter()
                    .map(|(k, v)| {
                        let value = self.json(v, required, diags, &child(at, k))?;
                        Ok(quote! { #k: #value })
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                quote! { { #(#entries),* } }
            }
            Value::Array(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.json(v, required, diags, &index(at, i)))
                    .collect::<Result<Vec<_>, String>>()?;
                quote! { [ #(#items),* ] }
            }
            Value::Null => quote!(null),
            leaf => {
                let e = match leaf {
                    Value::String(s) => self.string(s, false, required, diags, at)?,
                    Value::Bool(b) => quote!(#b),
                    _ => leaf
                        .to_string()
                        .parse()
                        .map_err(|_| "a number".to_string())?,
                };
                let key = (self.input.doc, at.to_string());
                if self.input.conversions.get(&key) == Some(&Conversion::Text) {
                    quote! { (#rt::text(&#e)) }
                } else {
                    quote! { (#e) }
                }
            }
        })
    }

    pub(super) fn string(
        &self,
        s: &str,
        strict: bool,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        let classified = expr::classify(s, true)
            .ok()
            .or_else(|| expr::repair(s).and_then(|r| expr::classify(&r, true).ok()));
        match classified {
            Some(ValueText::Expr(e)) => self.expr(&self.dialect(e), strict, required, diags, at),
            Some(ValueText::Template(segs)) => {
                let parts = segs
                    .iter()
                    .map(|seg| match seg {
                        Segment::Text(t) => Ok(quote!(#t)),
                        Segment::Expr(e, _) => {
                            let e = self.dialect(e.clone());
                            let v = self.expr(&e, strict, required, diags, at)?;
                            Ok(quote!(&#rt::text(&#v)))
                        }
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Ok(quote! { [#(#parts),*].concat() })
            }
            _ => Ok(quote!(#s)),
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
            Expr::Steps(n) if n.pointer.is_some() => self.step_output_in_json(n),
            Expr::Steps(n) => self.step_local(n),
            Expr::Workflows(n) => self.workflow_output(n),
            _ => Err("a value reads what this stage does not read yet".into()),
        }
    }

    /// The scalar type of a parameter value that is always there: text, a template, an input
    /// (a missing one is an error before the request), or a required output.
    pub(super) fn plain_type(&self, v: &Value) -> Option<ValueType> {
        let Value::String(s) = v else {
            return None;
        };
        let t =
            crate::infer::of_request_value(self.input.ws, self.wf.inputs.as_ref(), &self.types, s);
        let present = match self.parse_any(s) {
            Some(Expr::Inputs(n)) => n.pointer.is_none(),
            Some(Expr::Steps(_)) => t.required,
            Some(_) => false,
            None => return Some(ValueType::String),
        };
        let scalar = matches!(
            t.ty,
            ValueType::String | ValueType::Integer | ValueType::Number | ValueType::Boolean
        );
        (present && scalar).then_some(t.ty)
    }

    /// An expression parsed, repaired where the checker repaired it (with a warning): besides
    /// the repairs of [`expr::repair`], a dotted path after a step or workflow output
    /// (`$steps.a.outputs.b.c.d`) reads into the output (`$steps.a.outputs.b#/c/d`).
    pub(super) fn parse_any(&self, text: &str) -> Option<Expr> {
        parse_any(text).map(|e| self.dialect(e))
    }

    /// [`Self::parse_any`]'s repair of dotted paths after outputs, on a parsed expression.
    pub(super) fn dialect(&self, e: Expr) -> Expr {
        let siblings = &self.input.ws.arazzo[self.input.doc].doc.workflows;
        expr::read_into_outputs(
            e,
            &|step, output| {
                self.wf
                    .steps
                    .iter()
                    .any(|s| s.step_id == step && s.outputs.contains_key(output))
            },
            &|id, output| {
                siblings
                    .iter()
                    .any(|w| w.workflow_id == id && w.outputs.contains_key(output))
            },
        )
    }
}
