//! Criteria compiled to Rust: `simple` conditions over the status, the response, the inputs and
//! earlier outputs; `regex` over a context value (the regex crate); `jsonpath` over a context
//! value, as member and index paths with an optional comparison (`$.length == 0`). Each compiles
//! to a `bool` expression; what cannot be compiled comes back as the reason.

use proc_macro2::TokenStream;
use quote::quote;

use super::Here;
use super::Workflow_;
use crate::criteria::{CmpOp, Cond, Literal as Lit, Nav};
use crate::diag::Diagnostics;
use crate::expr::{self, Expr, MessagePart};
use crate::resolve::ValueIr;
use crate::resolve::{CriterionIr, TestIr};

impl Workflow_<'_> {
    /// One criterion, evaluated against the exchange in `var`.
    pub(super) fn criterion(&self, c: &CriterionIr, var: &Here) -> Result<Test, String> {
        let rt = self.rt();
        match &c.test {
            TestIr::Simple(cond) => self.condition(cond, var),
            TestIr::Regex { context, pattern } => {
                let context = self.operand(context, &[], var)?;
                // Compiled once per process (the pattern was checked at build time).
                Ok(Test::compound(quote! {
                    {
                        static RE: ::std::sync::LazyLock<::std::option::Option<#rt::regex::Regex>> =
                            ::std::sync::LazyLock::new(|| #rt::regex::Regex::new(#pattern).ok());
                        RE.as_ref().is_some_and(|re| re.is_match(&#rt::text(&#context)))
                    }
                }))
            }
            // A full RFC 9535 query (filters, wildcards): true when it selects anything.
            // Checked at build time, compiled once per process at run time.
            TestIr::Query { context, query } => {
                let context = self.operand(context, &[], var)?;
                Ok(Test::compound(quote! {
                    {
                        static PATH: ::std::sync::LazyLock<::std::option::Option<#rt::serde_json_path::JsonPath>> =
                            ::std::sync::LazyLock::new(|| #rt::serde_json_path::JsonPath::parse(#query).ok());
                        PATH.as_ref().is_some_and(|p| !p.query(&#context).is_empty())
                    }
                }))
            }
            // 1.1: the pattern or query is built from its embedded expressions when tested; a
            // context that is null, or a text that then does not compile, fails.
            TestIr::Built {
                regex,
                context,
                parts,
            } => {
                let context = self.operand(context, &[], var)?;
                let mut quiet = Diagnostics::new(false);
                let text = self.string(
                    &ValueIr::Template(parts.clone()),
                    false,
                    &[],
                    &mut quiet,
                    "",
                )?;
                let test = if *regex {
                    quote! {
                        #rt::regex::Regex::new(&#text)
                            .is_ok_and(|re| re.is_match(&#rt::text(context)))
                    }
                } else {
                    quote! {
                        #rt::serde_json_path::JsonPath::parse(&#text)
                            .is_ok_and(|p| !p.query(context).is_empty())
                    }
                };
                Ok(Test::compound(quote! {
                    {
                        let context = &#context;
                        !context.is_null() && #test
                    }
                }))
            }
            TestIr::Path {
                context,
                path,
                comparison,
            } => {
                let context = self.operand(context, &[], var)?;
                let value = quote!(#rt::json_path(&#context, &[#(#path),*]));
                Ok(match comparison {
                    Some((op, lit)) => {
                        let op = op_variant(&rt, *op);
                        let lit = literal(lit);
                        Test::call(quote!(#rt::compare(&#value, #op, &#lit)))
                    }
                    None => Test {
                        holds: quote!(!#value.is_null()),
                        fails: quote!(#value.is_null()),
                    },
                })
            }
        }
    }

    /// A simple condition as a `bool` expression, and its negation.
    pub(super) fn condition(&self, c: &Cond, var: &Here) -> Result<Test, String> {
        let rt = self.rt();
        Ok(match c {
            Cond::Not(x) => self.condition(x, var)?.not(),
            Cond::And(a, b) => {
                let (a, b) = (self.condition(a, var)?.holds, self.condition(b, var)?.holds);
                Test::compound(quote!((#a) && (#b)))
            }
            Cond::Or(a, b) => {
                let (a, b) = (self.condition(a, var)?.holds, self.condition(b, var)?.holds);
                Test::compound(quote!((#a) || (#b)))
            }
            Cond::Cmp(a, op, b) => {
                if matches!(**a, Cond::Expr(Expr::StatusCode, ..)) {
                    let status = self.status_of(var)?;
                    if let Some(holds) = status_comparison(a, *op, b, &status) {
                        let fails =
                            status_comparison(a, op.negated(), b, &status).unwrap_or_default();
                        return Ok(Test { holds, fails });
                    }
                }
                let (a, b) = (self.cond_value(a, var)?, self.cond_value(b, var)?);
                let op = op_variant(&rt, *op);
                Test::call(quote!(#rt::compare(&#a, #op, &#b)))
            }
            leaf => {
                let v = self.cond_value(leaf, var)?;
                Test::call(quote!(#rt::truthy(&#v)))
            }
        })
    }

    /// A condition operand as a `serde_json::Value`.
    fn cond_value(&self, c: &Cond, var: &Here) -> Result<TokenStream, String> {
        match c {
            Cond::Lit(l) => Ok(literal(l)),
            Cond::Expr(e, _, nav) => self.operand(e, nav, var),
            _ => Err("a comparison of conditions".into()),
        }
    }

    /// A runtime expression (and navigation into it) as a `serde_json::Value`.
    fn operand(&self, e: &Expr, nav: &[Nav], var: &Here) -> Result<TokenStream, String> {
        let rt = self.rt();
        let mut pointer = String::new();
        let called = self.workflow_call_in(var);
        let base = match e {
            Expr::Response(_) if called.is_some() => {
                return Err("a step that calls a workflow has no response for `$response` to read; its criteria read the workflow's outputs (`$outputs.<name>`)".into());
            }
            Expr::Outputs(n) if called.is_some() => {
                pointer = n
                    .pointer
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                let f = super::field(&n.name);
                quote!(#rt::to_json(&#var.#f))
            }
            // The workflow this step calls, read from the call.
            Expr::Workflows(n) if called.is_some_and(|(_, d, w)| self.names_workflow(n, d, w)) => {
                let (_, _, output) = n
                    .split_at_field(&["outputs"])
                    .ok_or("a workflow reference without `.outputs.`")?;
                pointer = n
                    .pointer
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                let f = super::field(output);
                quote!(#rt::to_json(&#var.#f))
            }
            Expr::StatusCode => {
                let status = self.status_of(var)?;
                quote!(::serde_json::Value::from(#status))
            }
            Expr::Response(MessagePart::Body(ptr)) => {
                pointer = ptr.as_ref().map(|p| p.to_string()).unwrap_or_default();
                quote!(#var.body)
            }
            Expr::Response(MessagePart::Header(h)) => {
                let h = h.as_str();
                quote!(#rt::header(&#var.headers, #h))
            }
            Expr::Inputs(n) => match self.input_in_json(n) {
                Some(v) => v,
                None => {
                    let f = self.input_field(&n.name);
                    quote!(#rt::to_json(&#f))
                }
            },
            Expr::Steps(n) | Expr::Workflows(n) => {
                // The output whole, then the pointer into it.
                let plain = expr::Named {
                    name: n.name.clone(),
                    pointer: None,
                };
                pointer = n
                    .pointer
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                if matches!(e, Expr::Steps(_)) {
                    let (local, _) = self.step_output_local(&plain)?;
                    quote!(#rt::to_json(&#local))
                } else {
                    self.workflow_output(&plain)?
                }
            }
            Expr::Request(MessagePart::Body(ptr)) => {
                pointer = ptr.as_ref().map(|p| p.to_string()).unwrap_or_default();
                self.request_body(var)?
            }
            Expr::Request(part) => self.request_parameter(part, var)?,
            Expr::Url if called.is_some() => {
                return Err(
                    "a step that calls a workflow has no request for `$url` to read".into(),
                );
            }
            Expr::Url => quote!(::serde_json::Value::from(#var.url.as_str())),
            Expr::Method => {
                let m = self
                    .method_of(var)
                    .ok_or("`$method` outside an operation step")?;
                quote!(::serde_json::Value::from(#m))
            }
            _ => return Err("a condition reads what this stage does not read yet".into()),
        };
        for n in nav {
            pointer.push('/');
            match n {
                Nav::Member(m) => pointer.push_str(&m.replace('~', "~0").replace('/', "~1")),
                Nav::Index(i) => pointer.push_str(&i.to_string()),
            }
        }
        Ok(if pointer.is_empty() {
            quote!(#base.clone())
        } else {
            quote!(#rt::at(&#base, #pointer))
        })
    }
}

impl Workflow_<'_> {
    /// `$statusCode` of the step whose result is in `var`: its response's status, or for a
    /// step that calls a workflow, the status of that workflow's last response (the local the
    /// call binds beside its outputs).
    pub(super) fn status_of(&self, var: &Here) -> Result<TokenStream, String> {
        let Some((_, doc, wi)) = self.workflow_call_in(var) else {
            return Ok(quote!(#var.status));
        };
        let returned = if doc == self.input.doc {
            self.with_status.contains(&wi)
        } else {
            self.input
                .callees
                .get(&doc)
                .is_some_and(|c| c.with_status.contains(&wi))
        };
        if !returned {
            return Err("`$statusCode` of a step whose workflow does not return its status".into());
        }
        let local = self.locals.status(var.step);
        Ok(quote!(#local))
    }

    /// Whether `$workflows.<id>…` names workflow `wi` of document `di`.
    fn names_workflow(&self, n: &expr::Named, di: usize, wi: usize) -> bool {
        let id = n.split_at_field(&["outputs"]).map(|(id, _, _)| id);
        let target = self
            .input
            .ws
            .arazzo
            .get(di)
            .and_then(|d| d.doc.workflows.get(wi));
        di == self.input.doc && id.is_some() && target.map(|w| w.workflow_id.as_str()) == id
    }

    /// `$request.header.<name>`, `$request.query.<name>` or `$request.path.<name>` of the step
    /// whose exchange is `var`, as JSON: the value the step gives the parameter of that name (a
    /// header's case-insensitive), or for `content-type` its request body's content type; `null`
    /// when the step sets neither.
    pub(super) fn request_parameter(
        &self,
        part: &MessagePart,
        var: &Here,
    ) -> Result<TokenStream, String> {
        use crate::openapi::ParamIn;
        let (location, name) = match part {
            MessagePart::Header(n) => (ParamIn::Header, n),
            MessagePart::Query(n) => (ParamIn::Query, n),
            MessagePart::Path(n) => (ParamIn::Path, n),
            MessagePart::Body(_) => return self.request_body(var),
        };
        let (si, step) = self.step_of(var).ok_or("a request value outside a step")?;
        let param = self.ir.steps.get(si).and_then(|s| {
            s.parameters.iter().find(|p| {
                p.location == Some(location)
                    && (p.name == *name
                        || (location == ParamIn::Header && p.name.eq_ignore_ascii_case(name)))
            })
        });
        if let Some(p) = param {
            let mut scratch = crate::diag::Diagnostics::new(false);
            let value = self.json(&p.read, &[], &mut scratch, &p.at)?;
            return Ok(quote!(::serde_json::json!(#value)));
        }
        let content_type = step
            .request_body
            .as_ref()
            .and_then(|b| b.content_type.as_deref())
            .filter(|_| location == ParamIn::Header && name.eq_ignore_ascii_case("content-type"));
        Ok(match content_type {
            Some(ct) => quote!(::serde_json::Value::from(#ct)),
            None => quote!(::serde_json::Value::Null),
        })
    }
}

/// `$statusCode <op> <integer>` as a plain comparison of the status.
fn status_comparison(a: &Cond, op: CmpOp, b: &Cond, status: &TokenStream) -> Option<TokenStream> {
    let (Cond::Expr(Expr::StatusCode, _, nav), Cond::Lit(Lit::Number(n))) = (a, b) else {
        return None;
    };
    if !nav.is_empty() || n.fract() != 0.0 || !(0.0..=999.0).contains(n) {
        return None;
    }
    let n = proc_macro2::Literal::u16_unsuffixed(*n as u16);
    let op = match op {
        CmpOp::Eq => quote!(==),
        CmpOp::Ne => quote!(!=),
        CmpOp::Lt => quote!(<),
        CmpOp::Le => quote!(<=),
        CmpOp::Gt => quote!(>),
        CmpOp::Ge => quote!(>=),
    };
    Some(quote!(#status #op #n))
}

/// The runtime's operator for a comparison.
fn op_variant(rt: &TokenStream, op: CmpOp) -> TokenStream {
    match op {
        CmpOp::Eq => quote!(#rt::Op::Eq),
        CmpOp::Ne => quote!(#rt::Op::Ne),
        CmpOp::Lt => quote!(#rt::Op::Lt),
        CmpOp::Le => quote!(#rt::Op::Le),
        CmpOp::Gt => quote!(#rt::Op::Gt),
        CmpOp::Ge => quote!(#rt::Op::Ge),
    }
}

fn literal(l: &Lit) -> TokenStream {
    match l {
        Lit::Null => quote!(::serde_json::Value::Null),
        Lit::Bool(b) => quote!(::serde_json::Value::Bool(#b)),
        Lit::Number(n) => quote!(::serde_json::Value::from(#n)),
        Lit::Str(s) => quote!(::serde_json::Value::from(#s)),
    }
}

/// A compiled condition: a `bool` expression that holds when the condition does, and one that
/// holds when it does not, written without a needless `!(…)`.
#[derive(Clone)]
pub(super) struct Test {
    /// True when the condition holds.
    pub(super) holds: TokenStream,
    /// True when it does not.
    pub(super) fails: TokenStream,
}

impl Test {
    /// A call or method call, negated with a bare `!`.
    pub(super) fn call(holds: TokenStream) -> Self {
        Test {
            fails: quote!(!#holds),
            holds,
        }
    }

    /// Any other expression, negated as `!(…)`.
    pub(super) fn compound(holds: TokenStream) -> Self {
        Test {
            fails: quote!(!(#holds)),
            holds,
        }
    }

    /// The negation.
    fn not(self) -> Self {
        Test {
            holds: self.fails,
            fails: self.holds,
        }
    }
}
