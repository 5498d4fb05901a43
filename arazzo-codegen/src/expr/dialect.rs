//! Readings of forms outside the expression grammar whose meaning is plain: the spellings a
//! whole expression is repaired from (dots into a body, `headers`, a pointer without its `/`),
//! and paths written after an output's name (`outputs.data[0].id`).

use super::{parse, Expr, Named, Pointer};

/// The one Arazzo 1.0.1 reading of a common non-standard spelling: `$response.body.a.b[0]`
/// (dots into the body) is `$response.body#/a/b/0`; `$response.headers.X` is
/// `$response.header.X`; a pointer without its leading `/` (`$response.body#id`) is
/// `$response.body#/id`.
pub fn repair(text: &str) -> Option<String> {
    repaired(text).map(|(fixed, _)| fixed)
}

/// [`repair`], with the kind of warning the reading is reported under: `arazzo-spelling` for
/// dots into a body, `dialect` for the forms of the catalogue's dialect.
pub fn repaired(text: &str) -> Option<(String, &'static str)> {
    if let Some(fixed) = body_dots(text) {
        return Some((fixed, "arazzo-spelling"));
    }
    for (root, plural) in [
        ("$response.", "headers."),
        ("$request.", "headers."),
        ("$message.", "headers."),
    ] {
        if let Some(name) = text.strip_prefix(root).and_then(|t| t.strip_prefix(plural)) {
            let fixed = format!("{root}header.{name}");
            if parse(&fixed).is_ok() {
                return Some((fixed, "dialect"));
            }
        }
    }
    // `#token`: one member name, no `/` and no `.`, which a reader could take another way.
    let (head, token) = text.split_once('#')?;
    if token.is_empty() || token.contains(['/', '.', '#']) {
        return None;
    }
    let fixed = format!("{head}#/{token}");
    parse(&fixed).is_ok().then_some((fixed, "dialect"))
}

/// `$response.body.a.b[0]` as `$response.body#/a/b/0`.
fn body_dots(text: &str) -> Option<String> {
    let (root, tail) = ["$response.body.", "$request.body.", "$message.payload."]
        .iter()
        .find_map(|r| text.strip_prefix(r).map(|t| (&r[..r.len() - 1], t)))?;
    let mut tokens = Vec::new();
    for part in tail.split('.') {
        let (name, mut idx) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() && tokens.is_empty() {
            return None;
        }
        if !name.is_empty() {
            tokens.push(crate::source::escape_token(name));
        }
        while let Some(rest) = idx.strip_prefix('[') {
            let close = rest.find(']')?;
            let n = &rest[..close];
            if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            tokens.push(n.to_string());
            idx = &rest[close + 1..];
        }
        if !idx.is_empty() {
            return None;
        }
    }
    if tokens
        .iter()
        .any(|t| t.is_empty() || t.contains(['{', '}', ' ']))
    {
        return None;
    }
    Some(format!("{root}#/{}", tokens.join("/")))
}

/// One step of a path written after an output's name, in the dialect some tools use
/// (`$steps.list.outputs.data[0].id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// `.name`: a member.
    Field(String),
    /// `[n]`: an element.
    Index(u64),
    /// `[*]`: every element.
    All,
}

/// Reads `rest` (the text after `outputs.`) as an output name and a path into it: the longest
/// prefix that `known` accepts, ending before a `.` or `[`, then `.name`, `[n]` and `[*]`
/// steps. `None` when no prefix is known or the rest is not such a path.
pub fn output_path(rest: &str, known: impl Fn(&str) -> bool) -> Option<(&str, Vec<PathStep>)> {
    let cuts = rest
        .char_indices()
        .filter(|&(i, c)| i > 0 && (c == '.' || c == '['))
        .map(|(i, _)| i)
        .rev();
    for cut in cuts {
        let head = &rest[..cut];
        if known(head) {
            return path_steps(&rest[cut..]).map(|steps| (head, steps));
        }
    }
    None
}

/// The pointer tokens a path of members and elements reads; `None` when it has a `[*]`.
pub fn path_pointer(steps: &[PathStep]) -> Option<Vec<String>> {
    steps
        .iter()
        .map(|s| match s {
            PathStep::Field(f) => Some(f.clone()),
            PathStep::Index(i) => Some(i.to_string()),
            PathStep::All => None,
        })
        .collect()
}

/// Parses `.a[0].b[*]`; `None` unless every step is a non-empty name, a number or `*`.
fn path_steps(mut text: &str) -> Option<Vec<PathStep>> {
    let mut out = Vec::new();
    while !text.is_empty() {
        if let Some(rest) = text.strip_prefix('[') {
            let close = rest.find(']')?;
            let inner = &rest[..close];
            out.push(match inner {
                "*" => PathStep::All,
                n if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
                    PathStep::Index(n.parse().ok()?)
                }
                _ => return None,
            });
            text = &rest[close + 1..];
        } else if let Some(rest) = text.strip_prefix('.') {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let name = &rest[..end];
            if name.is_empty() || name.contains([']', '#', '{', '}', ' ']) {
                return None;
            }
            out.push(PathStep::Field(name.to_string()));
            text = &rest[end..];
        } else {
            return None;
        }
    }
    Some(out)
}

/// The dotted-path reading of an output (a dialect the checker repairs with a warning):
/// `$steps.a.outputs.b.c.d`, where step `a` has output `b` but not `b.c.d`, reads into `b`
/// (`$steps.a.outputs.b#/c/d`); likewise `$workflows.w.outputs.b.c`. `step_output(step, name)`
/// and `workflow_output(id, name)` say which outputs exist.
pub fn read_into_outputs(
    e: Expr,
    step_output: &dyn Fn(&str, &str) -> bool,
    workflow_output: &dyn Fn(&str, &str) -> bool,
) -> Expr {
    let split = |n: &Named, known: &dyn Fn(&str, &str) -> bool| {
        let (head, _, rest) = n.split_at_field(&["outputs"])?;
        if known(head, rest) || n.pointer.is_some() {
            return None;
        }
        let (output, steps) = output_path(rest, |o| known(head, o))?;
        let tokens = path_pointer(&steps)?;
        Some(Named {
            name: format!("{head}.outputs.{output}"),
            pointer: Some(Pointer(tokens)),
        })
    };
    match e {
        Expr::Steps(n) => Expr::Steps(split(&n, step_output).unwrap_or(n)),
        Expr::Workflows(n) => Expr::Workflows(split(&n, workflow_output).unwrap_or(n)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_after_an_output_name_read_into_it() {
        let known = |o: &str| o == "data" || o == "a.b";
        assert_eq!(
            output_path("data[0].id", known),
            Some((
                "data",
                vec![PathStep::Index(0), PathStep::Field("id".into())]
            ))
        );
        assert_eq!(
            output_path("data[*].id", known).map(|(_, s)| path_pointer(&s)),
            Some(None)
        );
        // The longest known name wins: an output's own name may hold a dot.
        assert_eq!(
            output_path("a.b.c", known),
            Some(("a.b", vec![PathStep::Field("c".into())]))
        );
        // Not a path: `results[0` is not closed, `x` is not an output.
        assert_eq!(output_path("data[0", known), None);
        assert_eq!(output_path("x[0].id", known), None);
        assert_eq!(
            path_pointer(&[PathStep::Field("results".into()), PathStep::Index(2)]),
            Some(vec!["results".to_string(), "2".to_string()])
        );
    }

    #[test]
    fn plain_spellings_are_repaired_with_their_kind() {
        assert_eq!(
            repaired("$response.headers.Location"),
            Some(("$response.header.Location".into(), "dialect"))
        );
        assert_eq!(
            repaired("$response.body#id"),
            Some(("$response.body#/id".into(), "dialect"))
        );
        assert_eq!(
            repaired("$response.body.a[0]"),
            Some(("$response.body#/a/0".into(), "arazzo-spelling"))
        );
        // `#a.b` could be a member named `a.b` or `a` then `b`: a reader would guess.
        assert_eq!(repaired("$response.body#a.b"), None);
    }
}
