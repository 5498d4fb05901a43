//! Runtime expressions of Arazzo 1.0.1 (`$inputs.x`, `$response.body#/a/0`, …) and strings
//! with embedded `{$…}` expressions.
//!
//! Parsing here is syntactic, following the specification's ABNF; whether a step, an input or
//! an output named by an expression exists is decided in [`crate::resolve`].

use std::fmt;

mod dialect;

pub use dialect::{output_path, path_pointer, read_into_outputs, repair, repaired, PathStep};

/// A JSON pointer (RFC 6901), kept as its unescaped reference tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pointer(pub Vec<String>);

impl Pointer {
    /// Parses the text after `#` (empty, or `/token/token…`). On error, the character offset
    /// within `text` and a message.
    pub fn parse(text: &str) -> Result<Pointer, (usize, String)> {
        if text.is_empty() {
            return Ok(Pointer(Vec::new()));
        }
        if !text.starts_with('/') {
            return Err((0, "a JSON pointer must start with `/`".into()));
        }
        let mut tokens = Vec::new();
        let mut offset = 1;
        for raw in text[1..].split('/') {
            let mut tok = String::new();
            let mut chars = raw.chars().enumerate().peekable();
            while let Some((i, c)) = chars.next() {
                match c {
                    '~' => match chars.next() {
                        Some((_, '0')) => tok.push('~'),
                        Some((_, '1')) => tok.push('/'),
                        _ => {
                            return Err((
                                offset + i,
                                "`~` in a JSON pointer must be followed by `0` or `1`".into(),
                            ))
                        }
                    },
                    '{' | '}' => {
                        return Err((offset + i, format!("`{c}` is not allowed here")));
                    }
                    c => tok.push(c),
                }
            }
            offset += raw.chars().count() + 1;
            tokens.push(tok);
        }
        Ok(Pointer(tokens))
    }

    /// Parses a JSON pointer as it appears in a URI fragment (an `operationPath`, a `$ref`):
    /// percent-escapes are decoded, and braces (as in `/paths/~1pets~1{id}`) are allowed.
    pub fn parse_uri_fragment(text: &str) -> Result<Pointer, (usize, String)> {
        let decoded = percent_decode(text).ok_or((0, "malformed percent-escape".to_string()))?;
        let masked = decoded.replace('{', "\u{1}").replace('}', "\u{2}");
        let Pointer(tokens) = Pointer::parse(&masked)?;
        Ok(Pointer(
            tokens
                .into_iter()
                .map(|t| t.replace("\u{1}", "{").replace("\u{2}", "}"))
                .collect(),
        ))
    }

    /// Whether the pointer is empty (the whole document).
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.0 {
            write!(f, "/{}", crate::source::escape_token(t))?;
        }
        Ok(())
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Where in a request or response a `$request.…` / `$response.…` expression reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessagePart {
    /// `header.<token>`.
    Header(String),
    /// `query.<name>`.
    Query(String),
    /// `path.<name>`.
    Path(String),
    /// `body`, with an optional `#` pointer.
    Body(Option<Pointer>),
}

/// A parsed runtime expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// `$url`.
    Url,
    /// `$method`.
    Method,
    /// `$statusCode`.
    StatusCode,
    /// `$request.…`.
    Request(MessagePart),
    /// `$response.…`.
    Response(MessagePart),
    /// `$inputs.<name>[#pointer]`.
    Inputs(Named),
    /// `$outputs.<name>[#pointer]`.
    Outputs(Named),
    /// `$steps.<name>[#pointer]`; the name is `<stepId>.outputs.<output>`.
    Steps(Named),
    /// `$workflows.<name>[#pointer]`; the name is `<workflowId>.(inputs|outputs).<name>`.
    Workflows(Named),
    /// `$sourceDescriptions.<name>`; the name is `<source>.<operationId or workflowId or url>`.
    SourceDescriptions(String),
    /// `$components.<name>`; the name is `<kind>.<name>`.
    Components(String),
    /// Arazzo 1.1: `$message.header.<token>` or `$message.payload[#pointer]` (kept as `Body`),
    /// the message of an AsyncAPI step.
    Message(MessagePart),
    /// Arazzo 1.1: `$self`, the document's own URI.
    SelfUri,
}

/// The name after a root, and the JSON pointer after `#`, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The name, as written.
    pub name: String,
    /// The pointer after `#`.
    pub pointer: Option<Pointer>,
}

impl Named {
    /// The step and output a `$steps.` name refers to: `<step>.outputs.<output>`, else the
    /// `<step>.<output>` dialect where `is_output(step, output)` says that step has that output.
    pub fn step_output(&self, is_output: impl Fn(&str, &str) -> bool) -> Option<(&str, &str)> {
        if let Some((step, _, output)) = self.split_at_field(&["outputs"]) {
            return Some((step, output));
        }
        self.name
            .match_indices('.')
            .map(|(i, _)| (&self.name[..i], &self.name[i + 1..]))
            .find(|(step, output)| is_output(step, output))
    }

    /// Splits `<head>.<field>.<rest>` (e.g. `step.outputs.x`) at the first `.<field>.`.
    pub fn split_at_field<'a>(&'a self, fields: &[&'a str]) -> Option<(&'a str, &'a str, &'a str)> {
        fields
            .iter()
            .filter_map(|f| {
                let pat = format!(".{f}.");
                self.name
                    .find(&pat)
                    .map(|i| (i, &self.name[..i], *f, &self.name[i + pat.len()..]))
            })
            .min_by_key(|(i, ..)| *i)
            .map(|(_, head, f, rest)| (head, f, rest))
    }
}

/// A syntax error in an expression: the character offset where it was found, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 0-based character offset into the parsed text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl SyntaxError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        SyntaxError {
            offset,
            message: message.into(),
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

/// The expression roots of Arazzo 1.0.1.
pub const ROOTS: &[&str] = &[
    "$url",
    "$method",
    "$statusCode",
    "$request.",
    "$response.",
    "$inputs.",
    "$outputs.",
    "$steps.",
    "$workflows.",
    "$sourceDescriptions.",
    "$components.",
];

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Parses a whole string as one runtime expression.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let (expr, used) = parse_prefix(text, |_| false)?;
    if used != text.len() {
        let at = text[..used].chars().count();
        return Err(SyntaxError::new(at, "unexpected text after the expression"));
    }
    Ok(expr)
}

/// Parses the longest runtime expression at the start of `text`, where a name ends at a
/// character for which `stop` holds. Returns the expression and the bytes it used. After
/// `$url`, `$method`, `$statusCode` and a `body` without pointer the expression ends at a `.`,
/// so that a condition can navigate into the value (`$response.body.items`).
pub fn parse_prefix(text: &str, stop: impl Fn(char) -> bool) -> Result<(Expr, usize), SyntaxError> {
    if !text.starts_with('$') {
        return Err(SyntaxError::new(0, "a runtime expression starts with `$`"));
    }
    let name_end = |from: usize| -> usize {
        text[from..]
            .char_indices()
            .find(|&(_, c)| stop(c) || c == '{' || c == '}')
            .map_or(text.len(), |(i, _)| from + i)
    };
    let chars_to = |byte: usize| text[..byte].chars().count();
    let fixed = |kw: &str| {
        text.starts_with(kw)
            && text[kw.len()..]
                .chars()
                .next()
                .is_none_or(|c| stop(c) || c == '.' || c == '}')
    };
    if fixed("$url") {
        return Ok((Expr::Url, 4));
    }
    if fixed("$method") {
        return Ok((Expr::Method, 7));
    }
    if fixed("$statusCode") {
        return Ok((Expr::StatusCode, 11));
    }
    if fixed("$self") {
        return Ok((Expr::SelfUri, 5));
    }
    if let Some(rest) = text.strip_prefix("$message.") {
        let start = "$message.".len();
        let shifted = |e: SyntaxError, by: usize| SyntaxError {
            offset: e.offset + by,
            ..e
        };
        if let Some(after) = rest.strip_prefix("payload") {
            // Read as a body: `payload` is three characters longer than `body`.
            let body = format!("body{after}");
            let (part, used) =
                parse_message_part(&body, &stop).map_err(|e| shifted(e, chars_to(start) + 3))?;
            return Ok((Expr::Message(part), start + used + 3));
        }
        // The 1.1 ABNF gives a message the request's and response's sources too.
        let (part, used) = parse_message_part(rest, &stop).map_err(|e| SyntaxError {
            message: format!("{}, or `payload[#/pointer]`", e.message),
            ..shifted(e, chars_to(start))
        })?;
        return Ok((Expr::Message(part), start + used));
    }
    for (root, is_request) in [("$request.", true), ("$response.", false)] {
        if let Some(rest) = text.strip_prefix(root) {
            let start = root.len();
            let (part, used) = parse_message_part(rest, &stop).map_err(|e| SyntaxError {
                offset: e.offset + chars_to(start),
                ..e
            })?;
            let used = start + used;
            let part = if is_request {
                Expr::Request(part)
            } else {
                Expr::Response(part)
            };
            return Ok((part, used));
        }
    }
    type MakeNamed = fn(Named) -> Expr;
    let named_roots: [(&str, MakeNamed); 4] = [
        ("$inputs.", Expr::Inputs),
        ("$outputs.", Expr::Outputs),
        ("$steps.", Expr::Steps),
        ("$workflows.", Expr::Workflows),
    ];
    for (root, make) in named_roots {
        if text.starts_with(root) {
            let end = name_end(root.len());
            let body = &text[root.len()..end];
            let (name, pointer) = match body.find('#') {
                Some(i) => {
                    let ptr = Pointer::parse(&body[i + 1..])
                        .map_err(|(o, m)| SyntaxError::new(chars_to(root.len() + i + 1) + o, m))?;
                    (&body[..i], Some(ptr))
                }
                None => (body, None),
            };
            check_brace(text, end)?;
            return Ok((
                make(Named {
                    name: name.to_string(),
                    pointer,
                }),
                end,
            ));
        }
    }
    for (root, make) in [
        (
            "$sourceDescriptions.",
            Expr::SourceDescriptions as fn(String) -> Expr,
        ),
        ("$components.", Expr::Components),
    ] {
        if text.starts_with(root) {
            let end = name_end(root.len());
            check_brace(text, end)?;
            return Ok((make(text[root.len()..end].to_string()), end));
        }
    }
    let root_len = text[1..]
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(text.len(), |(i, _)| i + 1);
    Err(SyntaxError::new(
        0,
        format!(
            "`{}` is not an Arazzo 1.0.1 expression root (expected one of {})",
            &text[..root_len],
            ROOTS
                .iter()
                .map(|r| format!("`{}`", r.trim_end_matches('.')))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

fn check_brace(text: &str, end: usize) -> Result<(), SyntaxError> {
    match text[end..].chars().next() {
        Some(c @ ('{' | '}')) => Err(SyntaxError::new(
            text[..end].chars().count(),
            format!("`{c}` is not allowed in a name"),
        )),
        _ => Ok(()),
    }
}

fn parse_message_part(
    rest: &str,
    stop: &impl Fn(char) -> bool,
) -> Result<(MessagePart, usize), SyntaxError> {
    let name_end = |from: usize| {
        rest[from..]
            .char_indices()
            .find(|&(_, c)| stop(c) || c == '{' || c == '}')
            .map_or(rest.len(), |(i, _)| from + i)
    };
    if let Some(tok) = rest.strip_prefix("header.") {
        let len = tok
            .char_indices()
            .find(|&(_, c)| !is_tchar(c) || stop(c))
            .map_or(tok.len(), |(i, _)| i);
        if len == 0 {
            return Err(SyntaxError::new(7, "a header name must not be empty"));
        }
        return Ok((MessagePart::Header(tok[..len].to_string()), 7 + len));
    }
    for (prefix, query) in [("query.", true), ("path.", false)] {
        if rest.starts_with(prefix) {
            let end = name_end(prefix.len());
            if let Some(c @ ('{' | '}')) = rest[end..].chars().next() {
                return Err(SyntaxError::new(
                    rest[..end].chars().count(),
                    format!("`{c}` is not allowed in a name"),
                ));
            }
            let name = rest[prefix.len()..end].to_string();
            let part = if query {
                MessagePart::Query(name)
            } else {
                MessagePart::Path(name)
            };
            return Ok((part, end));
        }
    }
    if let Some(after) = rest.strip_prefix("body") {
        if let Some(ptr) = after.strip_prefix('#') {
            let end = ptr
                .char_indices()
                .find(|&(_, c)| stop(c))
                .map_or(ptr.len(), |(i, _)| i);
            let pointer =
                Pointer::parse(&ptr[..end]).map_err(|(o, m)| SyntaxError::new(5 + o, m))?;
            return Ok((MessagePart::Body(Some(pointer)), 5 + end));
        }
        match after.chars().next() {
            None => return Ok((MessagePart::Body(None), 4)),
            Some(c) if stop(c) || c == '.' || c == '}' => return Ok((MessagePart::Body(None), 4)),
            Some(_) => {}
        }
    }
    Err(SyntaxError::new(
        0,
        "expected `header.<name>`, `query.<name>`, `path.<name>` or `body[#/pointer]`",
    ))
}

/// A piece of a string that may embed expressions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Literal text.
    Text(String),
    /// An embedded `{$…}` expression, with the character offset of its `$`.
    Expr(Expr, usize),
}

/// Parses an expression-string: literal text with `{expression}` embedded. A `{` or `}` that
/// does not frame an expression is an error, as the ABNF says.
pub fn parse_template(text: &str) -> Result<Vec<Segment>, SyntaxError> {
    template(text, false)
}

/// Finds the `{$…}` expressions in a string whose other braces are literal text, as in a JSON
/// document written as a string payload.
pub fn parse_template_lenient(text: &str) -> Result<Vec<Segment>, SyntaxError> {
    template(text, true)
}

fn template(text: &str, lenient: bool) -> Result<Vec<Segment>, SyntaxError> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    let mut offset = 0usize;
    loop {
        let next = if lenient {
            rest.find("{$")
        } else {
            rest.find(['{', '}'])
        };
        let Some(i) = next else { break };
        lit.push_str(&rest[..i]);
        offset += rest[..i].chars().count();
        if rest[i..].starts_with('}') {
            return Err(SyntaxError::new(
                offset,
                "`}` without a `{` before it (literal braces cannot appear in an expression-string)",
            ));
        }
        let inner = &rest[i + 1..];
        let close = inner.find('}').ok_or_else(|| {
            SyntaxError::new(offset, "`{` opens an expression that is never closed")
        })?;
        let body = &inner[..close];
        let expr = parse(body).map_err(|e| SyntaxError {
            offset: offset + 1 + e.offset,
            ..e
        })?;
        if !lit.is_empty() {
            out.push(Segment::Text(std::mem::take(&mut lit)));
        }
        out.push(Segment::Expr(expr, offset + 1));
        offset += body.chars().count() + 2;
        rest = &inner[close + 1..];
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        out.push(Segment::Text(lit));
    }
    Ok(out)
}

/// How a string value of a parameter, payload or output is to be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueText {
    /// A runtime expression (the whole string).
    Expr(Expr),
    /// A string with embedded `{$…}` expressions.
    Template(Vec<Segment>),
    /// A constant.
    Literal,
}

/// Classifies a string value: a string that starts with `$` and a letter is an expression; one
/// that contains `{$` is a template; anything else is a constant. A `lenient` template (a
/// payload) may hold literal braces besides its `{$…}` expressions.
pub fn classify(text: &str, lenient: bool) -> Result<ValueText, SyntaxError> {
    let mut chars = text.chars();
    if chars.next() == Some('$') && chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return parse(text).map(ValueText::Expr);
    }
    if text.contains("{$") {
        let segments = if lenient {
            parse_template_lenient(text)
        } else {
            parse_template(text)
        };
        return segments.map(ValueText::Template);
    }
    Ok(ValueText::Literal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_roots() {
        assert_eq!(parse("$statusCode"), Ok(Expr::StatusCode));
        assert_eq!(
            parse("$response.body#/a~1b/0"),
            Ok(Expr::Response(MessagePart::Body(Some(Pointer(vec![
                "a/b".into(),
                "0".into()
            ])))))
        );
        let Ok(Expr::Steps(n)) = parse("$steps.get-x.outputs.name#/first") else {
            panic!()
        };
        assert_eq!(
            n.split_at_field(&["outputs"]),
            Some(("get-x", "outputs", "name"))
        );
        assert_eq!(n.pointer, Some(Pointer(vec!["first".into()])));
        assert!(parse("$statusCodes").is_err());
        assert_eq!(parse("$foo.bar").unwrap_err().offset, 0);
        assert!(parse("$response.body#/a~2").is_err());
    }

    #[test]
    fn prefix_stops_for_navigation() {
        let stop = |c: char| c.is_whitespace() || "=!<>&|()[]".contains(c);
        let (e, used) = parse_prefix("$response.body.data[0]", stop).unwrap();
        assert_eq!(e, Expr::Response(MessagePart::Body(None)));
        assert_eq!(used, 14);
        let (_, used) = parse_prefix("$inputs.a == 1", stop).unwrap();
        assert_eq!(used, 9);
    }

    #[test]
    fn templates() {
        let segs = parse_template("id={$inputs.id}&x=1").unwrap();
        assert_eq!(segs.len(), 3);
        assert!(matches!(&segs[1], Segment::Expr(Expr::Inputs(_), 4)));
        assert_eq!(parse_template("a}").unwrap_err().offset, 1);
        assert_eq!(parse_template("x{$nope}").unwrap_err().offset, 2);
        assert_eq!(parse_template("{{$url}}").unwrap_err().offset, 1);
    }

    #[test]
    fn classifies_values() {
        assert!(matches!(
            classify("$inputs.a", false),
            Ok(ValueText::Expr(_))
        ));
        assert!(matches!(
            classify("Bearer {$inputs.t}", false),
            Ok(ValueText::Template(_))
        ));
        assert_eq!(classify("$5.00", false), Ok(ValueText::Literal));
        assert_eq!(classify("plain {json}", false), Ok(ValueText::Literal));
        assert!(classify("$dependencies.x", false).is_err());
        assert!(classify("{\"a\": \"{$inputs.a}\"}", false).is_err());
        let Ok(ValueText::Template(segs)) = classify("{\"a\": \"{$inputs.a}\"}", true) else {
            panic!()
        };
        assert!(matches!(&segs[1], Segment::Expr(Expr::Inputs(_), 8)));
    }

    #[test]
    fn repairs_dotted_bodies() {
        assert_eq!(
            repair("$response.body.a.b[0].c").as_deref(),
            Some("$response.body#/a/b/0/c")
        );
        assert_eq!(
            repair("$request.body.x").as_deref(),
            Some("$request.body#/x")
        );
        assert_eq!(repair("$response.body.a b"), None);
        assert_eq!(repair("$inputs.a.b"), None);
    }

    #[test]
    fn uri_fragment_pointers() {
        let p = Pointer::parse_uri_fragment("/paths/~1pets~1{id}/get").unwrap();
        assert_eq!(p.0, vec!["paths", "/pets/{id}", "get"]);
        let p = Pointer::parse_uri_fragment("/paths/~1a%7Bb%7D").unwrap();
        assert_eq!(p.0, vec!["paths", "/a{b}"]);
    }
}
