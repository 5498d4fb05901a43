//! Arazzo 1.1 Selector Objects (`context`, `selector`, `type`) and Expression Type Objects.
//!
//! A selector that picks one value (a JSON pointer, or a JSONPath of names and indexes) is
//! read as the runtime expression it stands for: `{context: $response.body, selector:
//! $.user.email, type: jsonpath}` is `$response.body#/user/email`. Everything after
//! resolution (types, lean clients, code) then reads it like any other expression, so an
//! output selecting a string field is a `String`.

use serde_json::Map;

use super::*;
use crate::expr::MessagePart;
use crate::model::Version;

/// What a Selector Object reads.
pub(super) enum Selected {
    /// One value: the expression it stands for.
    One(Expr),
    /// 1.1 JSONPath that may select several values (a step output's only): the list of what
    /// the query selects in the value the expression reads.
    Many(Expr, String),
}

/// The selector types and the versions each allows (the first is the default).
const TYPES: &[(&str, &[&str])] = &[
    (
        "jsonpath",
        &["rfc9535", "draft-goessner-dispatch-jsonpath-00"],
    ),
    ("xpath", &["xpath-31", "xpath-30", "xpath-20", "xpath-10"]),
    ("jsonpointer", &["rfc6901"]),
];

impl<'a> Resolver<'a> {
    /// Whether `v` is written as a Selector Object: in a 1.1 document, an object with a
    /// `selector` (or a `context` and no other field a value would have).
    pub(super) fn is_selector(&self, v: &Value) -> bool {
        self.d.doc.version() >= Version::V1_1
            && v.as_object()
                .is_some_and(|m| m.contains_key("selector") || m.contains_key("context"))
    }

    /// An Expression Type Object or a type name (`at` is where it stands): the type's name,
    /// when it and its version are ones the specification lists.
    pub(super) fn expression_type(&mut self, v: &Value, at: &str) -> Option<&'static str> {
        let (name, version) = match v {
            Value::String(s) => (s.as_str(), None),
            Value::Object(m) => {
                let name = m.get("type").and_then(Value::as_str);
                let version = m.get("version").and_then(Value::as_str);
                let (Some(name), Some(version)) = (name, version) else {
                    self.push(
                        Diagnostic::error(
                            "an Expression Type Object needs a `type` and a `version`",
                        )
                        .at(self.loc(at)),
                    );
                    return None;
                };
                (name, Some(version))
            }
            _ => {
                self.push(
                    Diagnostic::error("a selector type is a name or an Expression Type Object")
                        .at(self.loc(at)),
                );
                return None;
            }
        };
        let Some(&(known, versions)) = TYPES.iter().find(|(n, _)| *n == name) else {
            self.push(
                Diagnostic::error(format!(
                    "`{name}` is not a selector type: the types are `jsonpath`, `xpath` and `jsonpointer`"
                ))
                .at(self.loc(at)),
            );
            return None;
        };
        if let Some(version) = version {
            if !versions.contains(&version) {
                self.push(
                    Diagnostic::error(format!("`{version}` is not a version of `{name}`"))
                        .at(self.loc(&child(at, "version")))
                        .help(format!(
                            "the versions of `{name}` are {}",
                            suggest::list(versions)
                        )),
                );
                return None;
            }
        }
        Some(known)
    }

    /// A Selector Object, read as the expression it stands for, or (`many`, for a step
    /// output of the response body) as a JSONPath query whose matches are listed; `None` after
    /// reporting why it cannot be (a field missing, an XPath, a JSONPath that may select
    /// several values where one is needed).
    pub(super) fn selector(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        m: &Map<String, Value>,
        many: bool,
    ) -> Option<Selected> {
        let missing: Vec<&str> = ["context", "selector", "type"]
            .into_iter()
            .filter(|f| !m.contains_key(*f))
            .collect();
        // The type is checked even when a field is missing: both are reported.
        let kind = m
            .get("type")
            .and_then(|t| self.expression_type(t, &child(at, "type")));
        if !missing.is_empty() {
            let mut d = Diagnostic::error(format!(
                "a Selector Object needs {}",
                suggest::list(&missing)
            ))
            .at(self.loc(at));
            if missing.contains(&"context") && m.contains_key("expression") {
                d = d.help("the expression it selects from is its `context`");
            }
            self.push(d);
            return None;
        }
        let kind = kind?;
        let (Some(context), Some(selector)) = (
            m.get("context").and_then(Value::as_str),
            m.get("selector").and_then(Value::as_str),
        ) else {
            self.push(
                Diagnostic::error("a selector's `context` and `selector` are strings")
                    .at(self.loc(at)),
            );
            return None;
        };
        let cat = child(at, "context");
        let base = match expr::parse(context) {
            Ok(e) => self.dialect(cx, e),
            Err(_) => {
                self.push(
                    Diagnostic::error(format!(
                        "a selector's `context` is one runtime expression, not `{context}`"
                    ))
                    .at(self.loc(&cat)),
                );
                return None;
            }
        };
        let sat = child(at, "selector");
        let tokens = match kind {
            "jsonpointer" => match expr::Pointer::parse(selector) {
                Ok(p) => p.0,
                Err((_, msg)) => {
                    self.push(Diagnostic::error(msg).at(self.loc(&sat)));
                    return None;
                }
            },
            "jsonpath" => match singular_path(selector) {
                Ok(tokens) => tokens,
                // A step output may list what a query selects in the response body.
                Err(why)
                    if many
                        && SEVERAL.contains(&why)
                        && matches!(base, Expr::Response(MessagePart::Body(_)))
                        && matches!(place, Place::Response(_)) =>
                {
                    if let Err(e) = serde_json_path::JsonPath::parse(selector) {
                        self.push(
                            Diagnostic::error(format!(
                                "JSONPath selector `{selector}` does not parse: {e}"
                            ))
                            .at(self.loc(&sat)),
                        );
                        return None;
                    }
                    self.check_expr(cx, place, &cat, &base, 0, context.chars().count());
                    return Some(Selected::Many(base, selector.to_string()));
                }
                Err(why) => {
                    self.push(
                        Diagnostic::error(format!("JSONPath selector `{selector}` {why}"))
                            .at(self.loc(&sat))
                            .help("a selector here reads one value: write a path of names and indexes such as `$.items[0].id`"),
                    );
                    return None;
                }
            },
            _ => {
                self.push(
                    Diagnostic::error("`xpath` selectors are not supported: they select from XML, and the generated clients read JSON")
                        .at(self.loc(&child(at, "type"))),
                );
                return None;
            }
        };
        let Some(e) = with_pointer(base, tokens) else {
            self.push(
                Diagnostic::error(format!(
                    "a selector's `context` must be structured data (a body, an input or an output), not `{context}`"
                ))
                .at(self.loc(&cat)),
            );
            return None;
        };
        self.check_expr(cx, place, &cat, &e, 0, context.chars().count());
        Some(Selected::One(e))
    }
}

/// `e` with `tokens` appended to its pointer, for an expression that reads structured data.
fn with_pointer(e: Expr, tokens: Vec<String>) -> Option<Expr> {
    let extend = |p: Option<expr::Pointer>| {
        let mut all = p.map(|p| p.0).unwrap_or_default();
        all.extend(tokens);
        Some(expr::Pointer(all))
    };
    Some(match e {
        Expr::Response(MessagePart::Body(p)) => Expr::Response(MessagePart::Body(extend(p))),
        Expr::Request(MessagePart::Body(p)) => Expr::Request(MessagePart::Body(extend(p))),
        Expr::Inputs(n) => Expr::Inputs(Named {
            pointer: extend(n.pointer),
            ..n
        }),
        Expr::Outputs(n) => Expr::Outputs(Named {
            pointer: extend(n.pointer),
            ..n
        }),
        Expr::Steps(n) => Expr::Steps(Named {
            pointer: extend(n.pointer),
            ..n
        }),
        Expr::Workflows(n) => Expr::Workflows(Named {
            pointer: extend(n.pointer),
            ..n
        }),
        _ => return None,
    })
}

/// Why a path is not a singular query, where it may select several values.
const DESCENDS: &str = "descends (`..`), so it may select several values";
const WILDCARD: &str = "has a wildcard, so it may select several values";
const OTHER_SELECTOR: &str =
    "has a selector other than a name or an index, so it may select several values";
/// The reasons [`singular_path`] gives for a query that may select several values.
const SEVERAL: [&str; 3] = [DESCENDS, WILDCARD, OTHER_SELECTOR];

/// The pointer tokens of an RFC 9535 singular query (`$`, then `.name`, `['name']` or
/// `[index]` segments); an error says why the path is not one.
pub(crate) fn singular_path(path: &str) -> Result<Vec<String>, &'static str> {
    let mut rest = path.strip_prefix('$').ok_or("does not start with `$`")?;
    let mut tokens = Vec::new();
    while !rest.is_empty() {
        if rest.starts_with("..") {
            return Err(DESCENDS);
        }
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name == "*" {
                return Err(WILDCARD);
            }
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || !c.is_ascii())
                || name.starts_with(|c: char| c.is_ascii_digit())
            {
                return Err("has a member name that is not a plain name");
            }
            tokens.push(name.to_string());
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or("has a `[` without its `]`")?;
            let inner = r[..end].trim();
            rest = &r[end + 1..];
            let quoted = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
            if let Some(name) = quoted {
                if name.contains(['\'', '"', '\\']) {
                    return Err("has a quoted name with escapes, which is not read");
                }
                tokens.push(name.to_string());
            } else if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
                if inner.len() > 1 && inner.starts_with('0') {
                    return Err("has an index with a leading zero");
                }
                tokens.push(inner.to_string());
            } else if inner.starts_with('-') {
                return Err("counts from the end, which is not read");
            } else {
                return Err(OTHER_SELECTOR);
            }
        } else {
            return Err("is not a JSONPath query");
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::singular_path;

    #[test]
    fn singular_paths_become_pointer_tokens() {
        assert_eq!(singular_path("$").unwrap(), Vec::<String>::new());
        assert_eq!(
            singular_path("$.user.profile.email").unwrap(),
            ["user", "profile", "email"]
        );
        assert_eq!(
            singular_path("$.items[0]['id']").unwrap(),
            ["items", "0", "id"]
        );
        assert_eq!(singular_path("$[\"a b\"][12]").unwrap(), ["a b", "12"]);
    }

    #[test]
    fn other_paths_say_why() {
        assert!(singular_path("$..id").unwrap_err().contains("several"));
        assert!(singular_path("$.items[*]").unwrap_err().contains("several"));
        assert!(singular_path("$.items[?@.a]")
            .unwrap_err()
            .contains("several"));
        assert!(singular_path("$.items[-1]").unwrap_err().contains("end"));
        assert!(singular_path("items").unwrap_err().contains("`$`"));
        assert!(singular_path("$.a[0").unwrap_err().contains("`]`"));
    }
}
