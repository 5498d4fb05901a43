//! The `simple` criterion condition language: literals, runtime expressions with `.member`
//! and `[index]` navigation, comparisons, `!`, `&&`, `||` and parentheses.

use crate::expr::{self, Expr, SyntaxError};

/// A literal in a condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A single-quoted string (`''` is a quote).
    Str(String),
}

/// A step of navigation after a runtime expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nav {
    /// `.name`.
    Member(String),
    /// `[n]`.
    Index(usize),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl CmpOp {
    /// The operator that holds exactly when this one does not (on comparable values).
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }
}

/// A parsed condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// A literal.
    Lit(Literal),
    /// A runtime expression, the character offset of its `$`, and navigation into its value.
    Expr(Expr, usize, Vec<Nav>),
    /// `!c`.
    Not(Box<Cond>),
    /// `a && b`.
    And(Box<Cond>, Box<Cond>),
    /// `a || b`.
    Or(Box<Cond>, Box<Cond>),
    /// `a op b`.
    Cmp(Box<Cond>, CmpOp, Box<Cond>),
}

impl Cond {
    /// Every runtime expression in the condition, with its character offset.
    pub fn exprs(&self) -> Vec<(&Expr, usize)> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    /// The condition with every runtime expression replaced by what `f` makes of it.
    pub fn map_exprs(self, f: &impl Fn(Expr) -> Expr) -> Cond {
        match self {
            Cond::Lit(l) => Cond::Lit(l),
            Cond::Expr(e, at, nav) => Cond::Expr(f(e), at, nav),
            Cond::Not(c) => Cond::Not(Box::new(c.map_exprs(f))),
            Cond::And(a, b) => Cond::And(Box::new(a.map_exprs(f)), Box::new(b.map_exprs(f))),
            Cond::Or(a, b) => Cond::Or(Box::new(a.map_exprs(f)), Box::new(b.map_exprs(f))),
            Cond::Cmp(a, op, b) => {
                Cond::Cmp(Box::new(a.map_exprs(f)), op, Box::new(b.map_exprs(f)))
            }
        }
    }

    fn collect<'a>(&'a self, out: &mut Vec<(&'a Expr, usize)>) {
        match self {
            Cond::Lit(_) => {}
            Cond::Expr(e, at, _) => out.push((e, *at)),
            Cond::Not(c) => c.collect(out),
            Cond::And(a, b) | Cond::Or(a, b) | Cond::Cmp(a, _, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Lit(Literal),
    Expr(Expr, Vec<Nav>),
    Op(CmpOp),
    Not,
    And,
    Or,
    Open,
    Close,
}

fn stop(c: char) -> bool {
    c.is_whitespace() || "=!<>&|()[]".contains(c)
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let err = |at: usize, m: &str| SyntaxError {
        offset: at,
        message: m.to_string(),
    };
    while i < chars.len() {
        let (byte, c) = chars[i];
        let next = chars.get(i + 1).map(|&(_, c)| c);
        let start = i;
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                i += 1;
                Tok::Open
            }
            ')' => {
                i += 1;
                Tok::Close
            }
            '&' if next == Some('&') => {
                i += 2;
                Tok::And
            }
            '|' if next == Some('|') => {
                i += 2;
                Tok::Or
            }
            '=' | '!' | '<' | '>' => {
                let two = next == Some('=');
                i += if two { 2 } else { 1 };
                if chars.get(i).is_some_and(|&(_, c)| c == '=') {
                    return Err(err(i, "unexpected `=`; the operators are == != < <= > >="));
                }
                match (c, two) {
                    ('=', true) => Tok::Op(CmpOp::Eq),
                    ('!', true) => Tok::Op(CmpOp::Ne),
                    ('<', true) => Tok::Op(CmpOp::Le),
                    ('>', true) => Tok::Op(CmpOp::Ge),
                    ('<', false) => Tok::Op(CmpOp::Lt),
                    ('>', false) => Tok::Op(CmpOp::Gt),
                    ('!', false) => Tok::Not,
                    _ => return Err(err(start, "`=` alone is not an operator; write `==`")),
                }
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err(start, "unterminated string literal")),
                        Some(&(_, '\'')) if chars.get(i + 1).is_some_and(|&(_, c)| c == '\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some(&(_, '\'')) => {
                            i += 1;
                            break;
                        }
                        Some(&(_, c)) => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                Tok::Lit(Literal::Str(s))
            }
            '$' => {
                let (e, used) =
                    expr::parse_prefix(&text[byte..], stop).map_err(|e| SyntaxError {
                        offset: e.offset + start,
                        ..e
                    })?;
                i += text[byte..byte + used].chars().count();
                let mut nav = Vec::new();
                loop {
                    match chars.get(i).map(|&(_, c)| c) {
                        Some('.') => {
                            let from = i + 1;
                            let mut j = from;
                            while chars.get(j).is_some_and(|&(_, c)| !stop(c) && c != '.') {
                                j += 1;
                            }
                            if j == from {
                                return Err(err(i, "expected a member name after `.`"));
                            }
                            nav.push(Nav::Member(
                                chars[from..j].iter().map(|&(_, c)| c).collect(),
                            ));
                            i = j;
                        }
                        Some('[') => {
                            let from = i + 1;
                            let mut j = from;
                            while chars.get(j).is_some_and(|&(_, c)| c.is_ascii_digit()) {
                                j += 1;
                            }
                            if j == from || chars.get(j).map(|&(_, c)| c) != Some(']') {
                                return Err(err(i, "expected `[<index>]`"));
                            }
                            let digits: String = chars[from..j].iter().map(|&(_, c)| c).collect();
                            let n = digits
                                .parse()
                                .map_err(|_| err(from, "index out of range"))?;
                            nav.push(Nav::Index(n));
                            i = j + 1;
                        }
                        _ => break,
                    }
                }
                Tok::Expr(e, nav)
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let mut j = i;
                while chars
                    .get(j)
                    .is_some_and(|&(_, c)| c.is_ascii_alphanumeric() || "+-.".contains(c))
                {
                    j += 1;
                }
                let s: String = chars[i..j].iter().map(|&(_, c)| c).collect();
                let n: f64 = s
                    .parse()
                    .map_err(|_| err(start, &format!("`{s}` is not a number")))?;
                i = j;
                Tok::Lit(Literal::Number(n))
            }
            c if c.is_ascii_alphabetic() => {
                let mut j = i;
                while chars
                    .get(j)
                    .is_some_and(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
                {
                    j += 1;
                }
                let word: String = chars[i..j].iter().map(|&(_, c)| c).collect();
                i = j;
                match word.as_str() {
                    "true" => Tok::Lit(Literal::Bool(true)),
                    "false" => Tok::Lit(Literal::Bool(false)),
                    "null" => Tok::Lit(Literal::Null),
                    _ => {
                        return Err(err(
                            start,
                            &format!(
                                "`{word}` is not a literal or an expression (strings are quoted: '{word}')"
                            ),
                        ))
                    }
                }
            }
            '"' => {
                return Err(err(
                    start,
                    "string literals in conditions are written in single quotes ('…', with '' for a quote)",
                ))
            }
            c => return Err(err(start, &format!("unexpected `{c}`"))),
        };
        toks.push((tok, start));
    }
    Ok(toks)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |&(_, o)| o)
    }

    fn fail<T>(&self, m: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            offset: self.offset(),
            message: m.into(),
        })
    }

    fn or(&mut self) -> Result<Cond, SyntaxError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            left = Cond::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Cond, SyntaxError> {
        let mut left = self.unary()?;
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            left = Cond::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Cond, SyntaxError> {
        if self.peek() == Some(&Tok::Not) {
            self.at += 1;
            return Ok(Cond::Not(Box::new(self.unary()?)));
        }
        let left = self.operand()?;
        if let Some(&Tok::Op(op)) = self.peek() {
            self.at += 1;
            let right = self.operand()?;
            if let Some(Tok::Op(_)) = self.peek() {
                return self.fail("comparisons cannot be chained; join them with `&&`");
            }
            return Ok(Cond::Cmp(Box::new(left), op, Box::new(right)));
        }
        Ok(left)
    }

    fn operand(&mut self) -> Result<Cond, SyntaxError> {
        let Some((tok, at)) = self.toks.get(self.at).cloned() else {
            return self.fail("expected a value, found the end of the condition");
        };
        self.at += 1;
        match tok {
            Tok::Lit(l) => Ok(Cond::Lit(l)),
            Tok::Expr(e, nav) => Ok(Cond::Expr(e, at, nav)),
            Tok::Open => {
                let inner = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return self.fail("expected `)`");
                }
                self.at += 1;
                Ok(inner)
            }
            _ => {
                self.at -= 1;
                self.fail("expected a value (a literal, an expression or `(`)")
            }
        }
    }
}

/// Parses a `simple` condition.
pub fn parse(text: &str) -> Result<Cond, SyntaxError> {
    let toks = lex(text)?;
    let mut p = Parser {
        toks,
        at: 0,
        end: text.chars().count(),
    };
    let cond = p.or()?;
    if p.at < p.toks.len() {
        return p.fail("unexpected text after the condition");
    }
    Ok(cond)
}

/// A JSONPath string literal in double quotes (RFC 9535 allows both quotes) as the
/// single-quoted literal of a condition; anything else as it is.
fn single_quoted(text: &str) -> std::borrow::Cow<'_, str> {
    if !(text.len() >= 2 && text.starts_with('"') && text.ends_with('"')) {
        return text.into();
    }
    match serde_json::from_str::<String>(text) {
        Ok(s) => format!("'{}'", s.replace('\'', "''")).into(),
        Err(_) => text.into(),
    }
}

/// A comparison after a JSONPath: the operator and the literal.
pub type Comparison = (CmpOp, Literal);

/// Reads a JSONPath condition of members and indices, with an optional comparison:
/// `$.items[0].name == 'x'`, `$.length > 0`. Filters, wildcards and descendants are refused.
pub fn json_path(text: &str) -> Result<(Vec<String>, Option<Comparison>), String> {
    let unsupported = || {
        format!("the JSONPath `{text}` uses more than member and index steps (not supported yet)")
    };
    let text = text.trim();
    let split = ["==", "!=", "<=", ">=", "<", ">"]
        .iter()
        .filter_map(|op| text.find(op).map(|i| (i, *op)))
        .min_by_key(|(i, _)| *i);
    let (path, comparison) = match split {
        Some((i, op)) => {
            let rhs = single_quoted(text[i + op.len()..].trim());
            let cond = parse(&format!("1 {op} {rhs}")).map_err(|_| unsupported())?;
            let Cond::Cmp(_, op, lit) = cond else {
                return Err(unsupported());
            };
            let Cond::Lit(lit) = *lit else {
                return Err(unsupported());
            };
            (text[..i].trim(), Some((op, lit)))
        }
        None => (text, None),
    };
    let rest = path.strip_prefix('$').ok_or_else(unsupported)?;
    if rest.contains("..") || rest.contains('*') || rest.contains('?') {
        return Err(unsupported());
    }
    let mut segments = Vec::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                let mut name = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '.' || c == '[' {
                        break;
                    }
                    name.push(c);
                    chars.next();
                }
                if name.is_empty() {
                    return Err(unsupported());
                }
                segments.push(name);
            }
            '[' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                let inner = inner.trim();
                let inner = single_quoted(inner);
                let name = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .map(|s| s.replace("''", "'"))
                    .or_else(|| inner.parse::<usize>().ok().map(|i| i.to_string()))
                    .ok_or_else(unsupported)?;
                segments.push(name);
            }
            _ => return Err(unsupported()),
        }
    }
    Ok((segments, comparison))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_navigation() {
        let c = parse("!$response.body.items[2].ok || $statusCode == 200 && true").unwrap();
        let Cond::Or(left, right) = c else { panic!() };
        assert!(matches!(*left, Cond::Not(_)));
        assert!(matches!(*right, Cond::And(..)));
        let Cond::Expr(_, 0, nav) = parse("$response.body.a[1]").unwrap() else {
            panic!()
        };
        assert_eq!(nav, vec![Nav::Member("a".into()), Nav::Index(1)]);
    }

    #[test]
    fn literals() {
        assert_eq!(
            parse("'it''s'").unwrap(),
            Cond::Lit(Literal::Str("it's".into()))
        );
        assert_eq!(
            parse("-1.5e3").unwrap(),
            Cond::Lit(Literal::Number(-1500.0))
        );
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(parse("$statusCode === 200").unwrap_err().offset, 14);
        assert_eq!(parse("($statusCode == 200").unwrap_err().offset, 19);
        assert_eq!(parse("1 < 2 < 3").unwrap_err().offset, 6);
        assert_eq!(parse("a == 1").unwrap_err().offset, 0);
    }

    #[test]
    fn json_paths_of_members_and_indices() {
        let (path, cmp) = json_path("$.length == 0").expect("reads");
        assert_eq!(path, ["length"]);
        assert_eq!(cmp, Some((CmpOp::Eq, Literal::Number(0.0))));
        let (path, cmp) = json_path("$.items[2]['a b'].name").expect("reads");
        assert_eq!(path, ["items", "2", "a b", "name"]);
        assert_eq!(cmp, None);
        assert!(json_path("$[?(@.x > 1)]").is_err());
        assert!(json_path("$..name").is_err());
        assert!(json_path("items").is_err());
    }

    #[test]
    fn json_path_strings_may_be_double_quoted() {
        let (path, cmp) = json_path(r#"$.status == "requires_capture""#).expect("reads");
        assert_eq!(path, ["status"]);
        assert_eq!(
            cmp,
            Some((CmpOp::Eq, Literal::Str("requires_capture".into())))
        );
        let (path, cmp) = json_path(r#"$["a b"].x != "it's \"so\"""#).expect("reads");
        assert_eq!(path, ["a b", "x"]);
        assert_eq!(cmp, Some((CmpOp::Ne, Literal::Str("it's \"so\"".into()))));
    }
}
