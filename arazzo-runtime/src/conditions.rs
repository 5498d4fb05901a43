//! Arazzo's simple conditions at run time: comparisons, truthiness, and paths into values.

use std::cmp::Ordering;

use serde_json::Value;

/// A comparison operator of a simple condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Compares two values as Arazzo's simple conditions do: numbers as numbers (a string holding a
/// number compares as one), strings case-insensitively, other values by equality only.
pub fn compare(a: &Value, op: Op, b: &Value) -> bool {
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let ordering: Option<Ordering> = match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ if a == b => Some(Ordering::Equal),
            _ => None,
        },
    };
    match op {
        Op::Eq => ordering == Some(Ordering::Equal),
        Op::Ne => ordering != Some(Ordering::Equal),
        Op::Lt => ordering == Some(Ordering::Less),
        Op::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ordering == Some(Ordering::Greater),
        Op::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// Whether a value counts as true in a condition: `true`, a non-zero number, a non-empty string,
/// array or object.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Follows a JSONPath of members and indices; `length` of an array or string is its length.
pub fn json_path(value: &Value, path: &[&str]) -> Value {
    let mut current = value;
    let mut length = None;
    for segment in path {
        if length.is_some() {
            return Value::Null;
        }
        current = match (current, *segment) {
            (Value::Array(items), "length") => {
                length = Some(items.len());
                continue;
            }
            (Value::String(s), "length") => {
                length = Some(s.chars().count());
                continue;
            }
            (Value::Array(items), i) => match i.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(v) => v,
                None => return Value::Null,
            },
            (Value::Object(map), key) => match map.get(key) {
                Some(v) => v,
                None => return Value::Null,
            },
            _ => return Value::Null,
        };
    }
    length.map_or_else(|| current.clone(), Value::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_as_numbers_even_in_strings() {
        assert!(compare(&json!(200), Op::Eq, &json!(200.0)));
        assert!(compare(&json!("10"), Op::Gt, &json!(9)));
        assert!(compare(&json!(3), Op::Le, &json!(3)));
        assert!(compare(&json!(2), Op::Lt, &json!(3)));
        assert!(compare(&json!(4), Op::Ge, &json!(3)));
        assert!(!compare(&json!("x"), Op::Lt, &json!(3)));
    }

    #[test]
    fn strings_compare_case_insensitively_and_other_values_by_equality() {
        assert!(compare(&json!("Active"), Op::Eq, &json!("active")));
        assert!(compare(&json!("a"), Op::Lt, &json!("B")));
        assert!(compare(&json!(null), Op::Eq, &json!(null)));
        assert!(compare(&json!(true), Op::Ne, &json!(false)));
        assert!(compare(&json!([1]), Op::Ne, &json!(null)));
        assert!(!compare(&json!({"a": 1}), Op::Gt, &json!({"a": 0})));
    }

    #[test]
    fn truthiness_follows_emptiness() {
        for v in [
            json!(true),
            json!(1),
            json!(-0.5),
            json!("x"),
            json!([0]),
            json!({"a": null}),
        ] {
            assert!(truthy(&v), "{v}");
        }
        for v in [
            json!(null),
            json!(false),
            json!(0),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert!(!truthy(&v), "{v}");
        }
    }

    #[test]
    fn paths_follow_members_indices_and_length() {
        let v = json!({"items": [{"name": "a"}, {"name": "bb"}], "s": "héllo"});
        assert_eq!(json_path(&v, &["items", "1", "name"]), json!("bb"));
        assert_eq!(json_path(&v, &["items", "length"]), json!(2));
        assert_eq!(json_path(&v, &["s", "length"]), json!(5));
        assert_eq!(json_path(&v, &["items", "9"]), Value::Null);
        assert_eq!(json_path(&v, &["items", "x"]), Value::Null);
        assert_eq!(json_path(&v, &["s", "length", "more"]), Value::Null);
        assert_eq!(json_path(&v, &[]), v);
    }
}
