//! Values moving between JSON and the types generated code uses: parameters, outputs, inputs,
//! string templates and request-body replacements.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::Error;

/// Converts a parameter's JSON value into the type its setter takes; one value given for an
/// array parameter is an array of one (`type=track` for `type: array`); a number or boolean
/// given for a text parameter is its text.
pub fn parameter_from_json<T: DeserializeOwned>(
    step: &'static str,
    what: &'static str,
    value: Value,
) -> Result<T, Error> {
    let failed = |e: serde_json::Error| Error::Request {
        step,
        cause: format!("{what}: {e}"),
    };
    match serde_json::from_value::<T>(value.clone()) {
        Ok(v) => Ok(v),
        // A number or boolean for a parameter the client takes as text (the description said
        // it could be one of several types): its text.
        Err(e) if value.is_number() || value.is_boolean() => {
            serde_json::from_value(Value::String(value.to_string()))
                .or_else(|_| serde_json::from_value(Value::Array(vec![value])))
                .map_err(|_| failed(e))
        }
        Err(e) if !value.is_array() => {
            serde_json::from_value(Value::Array(vec![value])).map_err(|_| failed(e))
        }
        Err(e) => Err(failed(e)),
    }
}

/// Converts a JSON value into the type a request setter takes.
pub fn from_json<T: DeserializeOwned>(
    step: &'static str,
    what: &'static str,
    value: Value,
) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|e| Error::Request {
        step,
        cause: format!("{what}: {e}"),
    })
}

/// Converts a string into the type a request body's member takes (a constrained string, a
/// string enum) as reading its JSON would: a string it does not take is the same error.
pub fn from_string<T>(step: &'static str, what: &'static str, value: String) -> Result<T, Error>
where
    T: TryFrom<String>,
    T::Error: std::fmt::Display,
{
    T::try_from(value).map_err(|e| Error::Request {
        step,
        cause: format!("{what}: {e}"),
    })
}

/// A string fed into a number or boolean member of a request body, as the JSON value it
/// holds (a number or a boolean), else as the string itself, which reading the body into its
/// type then refuses with the member's place.
pub fn scalar_from_text<T: Serialize + ?Sized>(value: &T) -> Value {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => match serde_json::from_str::<Value>(text.trim()) {
            Ok(v @ (Value::Number(_) | Value::Bool(_))) => v,
            _ => Value::String(text),
        },
        Ok(other) => other,
        Err(_) => Value::Null,
    }
}

/// A single value fed into a request body's list member, as a list of one element (parsed as
/// [`scalar_from_text`] when `parse` is set); an absent optional value stays `null`.
pub fn one_element<T: Serialize + ?Sized>(value: &T, parse: bool) -> Value {
    match serde_json::to_value(value) {
        Ok(Value::Null) | Err(_) => Value::Null,
        Ok(v) if parse => Value::Array(vec![scalar_from_text(&v)]),
        Ok(v) => Value::Array(vec![v]),
    }
}

/// Parses a string fed into a number or boolean parameter.
pub fn parse_json(step: &'static str, parameter: &'static str, text: &str) -> Result<Value, Error> {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(v @ (Value::Number(_) | Value::Bool(_))) => Ok(v),
        _ => Err(Error::Request {
            step,
            cause: format!("parameter `{parameter}`: `{text}` is not a number or a boolean"),
        }),
    }
}

/// Reads an output at a JSON pointer of a body; a missing or null value is an error.
pub fn output<T: DeserializeOwned>(
    step: &'static str,
    output: &'static str,
    body: &Value,
    pointer: &str,
) -> Result<T, Error> {
    match optional_output(step, output, body, pointer)? {
        Some(v) => Ok(v),
        None => Err(Error::Output {
            step,
            output,
            cause: format!("the response has no value at `{pointer}`"),
        }),
    }
}

/// Reads an optional output at a JSON pointer of a body.
pub fn optional_output<T: DeserializeOwned>(
    step: &'static str,
    output: &'static str,
    body: &Value,
    pointer: &str,
) -> Result<Option<T>, Error> {
    match lookup(body, pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => T::deserialize(v).map(Some).map_err(|e| Error::Output {
            step,
            output,
            cause: e.to_string(),
        }),
    }
}

/// An input the workflow needs.
pub fn required<T>(value: Option<T>, input: &'static str) -> Result<T, Error> {
    value.ok_or(Error::MissingInput { input })
}

/// An output of a step that may not have run: the value, or an error naming the step.
pub fn ran<T>(value: Option<T>, step: &'static str, output: &'static str) -> Result<T, Error> {
    value.ok_or_else(|| Error::Output {
        step,
        output,
        cause: "the step has not run, or its response had no value there".into(),
    })
}

/// A value as text in a string template: strings as they are, other JSON as JSON.
pub fn text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        Ok(Value::Null) | Err(_) => String::new(),
        Ok(v) => v.to_string(),
    }
}

/// A value as JSON, for conditions.
pub fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The value at a JSON pointer, `null` when there is none.
pub fn at(value: &Value, pointer: &str) -> Value {
    lookup(value, pointer).cloned().unwrap_or(Value::Null)
}

/// `Value::pointer`, without building a string for a token that has no escape in it.
fn lookup<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').try_fold(value, |node, token| {
        let unescaped;
        let token = if token.contains('~') {
            unescaped = token.replace("~1", "/").replace("~0", "~");
            unescaped.as_str()
        } else {
            token
        };
        match node {
            Value::Object(map) => map.get(token),
            Value::Array(items) => {
                if token.len() > 1 && token.starts_with('0') || token.starts_with('+') {
                    return None;
                }
                items.get(token.parse::<usize>().ok()?)
            }
            _ => None,
        }
    })
}

/// A response header as a JSON string, `null` when absent (names are case-insensitive).
pub fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Value {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map_or(Value::Null, |v| Value::String(v.to_string()))
}

/// Puts `value` into `body` at a JSON pointer (a requestBody replacement): objects on the way
/// are created, an array index replaces (`-` appends); the empty pointer replaces the whole body.
pub fn replace(body: &mut Value, pointer: &str, value: Value) {
    if pointer.is_empty() {
        *body = value;
        return;
    }
    let mut node = body;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if !node.is_array() && !node.is_object() {
            // Null, or a scalar on the way: replaced by an object holding the rest.
            *node = Value::Object(serde_json::Map::new());
        }
        node = match node {
            Value::Array(items) => {
                let index = token.parse().unwrap_or(items.len()).min(items.len());
                if index == items.len() {
                    items.push(Value::Null);
                }
                &mut items[index]
            }
            Value::Object(map) => map.entry(token).or_insert(Value::Null),
            _ => return,
        };
    }
    *node = value;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_value_for_an_array_parameter_is_an_array_of_one() {
        let v: Vec<String> = parameter_from_json("s", "type", json!("track")).unwrap();
        assert_eq!(v, ["track"]);
        let v: String = parameter_from_json("s", "limit", json!(10)).unwrap();
        assert_eq!(v, "10");
        let v: Vec<u32> = parameter_from_json("s", "ids", json!(7)).unwrap();
        assert_eq!(v, [7]);
        let e = parameter_from_json::<u32>("s", "limit", json!({"a": 1})).unwrap_err();
        assert!(e.to_string().starts_with("step `s`: limit: "), "{e}");
    }

    #[test]
    fn text_fed_to_a_number_parameter_must_be_a_number() {
        assert_eq!(parse_json("s", "limit", " 25 ").unwrap(), json!(25));
        assert_eq!(parse_json("s", "all", "true").unwrap(), json!(true));
        let e = parse_json("s", "limit", "ten").unwrap_err();
        assert_eq!(
            e.to_string(),
            "step `s`: parameter `limit`: `ten` is not a number or a boolean"
        );
    }

    #[test]
    fn text_fed_to_a_number_member_is_its_value_or_stays_text() {
        assert_eq!(scalar_from_text(" 25 "), json!(25));
        assert_eq!(scalar_from_text("2.5"), json!(2.5));
        assert_eq!(scalar_from_text("false"), json!(false));
        // Anything else stays the string, which reading the member's type then refuses.
        assert_eq!(scalar_from_text("ten"), json!("ten"));
        assert_eq!(scalar_from_text("[1]"), json!("[1]"));
        assert_eq!(scalar_from_text(&Some("7".to_string())), json!(7));
        assert_eq!(scalar_from_text(&None::<String>), json!(null));
        assert_eq!(one_element(&"a", false), json!(["a"]));
        assert_eq!(one_element(&"7", true), json!([7]));
        assert_eq!(one_element(&None::<String>, true), json!(null));
        let e = from_json::<u32>("s", "request body at `/n`", scalar_from_text("ten")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("step `s`: request body at `/n`: "),
            "{e}"
        );
    }

    #[test]
    fn outputs_are_read_at_pointers_and_checked_against_their_type() {
        let body = json!({"id": "c1", "n": 3, "none": null});
        assert_eq!(output::<String>("s", "id", &body, "/id").unwrap(), "c1");
        assert_eq!(
            optional_output::<u8>("s", "n", &body, "/n").unwrap(),
            Some(3)
        );
        assert_eq!(
            optional_output::<u8>("s", "x", &body, "/none").unwrap(),
            None
        );
        let e = output::<String>("s", "x", &body, "/missing").unwrap_err();
        assert_eq!(
            e.to_string(),
            "step `s`: output `x`: the response has no value at `/missing`"
        );
        let e = output::<String>("s", "n", &body, "/n").unwrap_err();
        assert!(matches!(e, Error::Output { output: "n", .. }));
    }

    #[test]
    fn inputs_and_outputs_of_steps_not_run_are_errors() {
        assert_eq!(required(Some(1), "a").unwrap(), 1);
        assert!(matches!(
            required::<u8>(None, "a"),
            Err(Error::MissingInput { input: "a" })
        ));
        assert_eq!(ran(Some("x"), "s", "o").unwrap(), "x");
        assert_eq!(ran::<u8>(None, "s", "o").unwrap_err().step(), Some("s"));
    }

    #[test]
    fn templates_show_strings_bare_and_other_values_as_json() {
        assert_eq!(text(&"Ada"), "Ada");
        assert_eq!(text(&3), "3");
        assert_eq!(text(&Option::<u8>::None), "");
        assert_eq!(text(&json!({"a": [1]})), r#"{"a":[1]}"#);
        assert_eq!(to_json(&Some(2)), json!(2));
    }

    #[test]
    fn pointers_and_headers_read_null_when_absent() {
        let v = json!({"a/b": {"c": [10, 20]}});
        assert_eq!(at(&v, "/a~1b/c/1"), json!(20));
        assert_eq!(at(&v, "/nope"), Value::Null);
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("X-Rate", "5".parse().unwrap());
        assert_eq!(header(&h, "x-rate"), json!("5"));
        assert_eq!(header(&h, "etag"), Value::Null);
    }

    #[test]
    fn replacements_create_objects_and_append_to_arrays() {
        let mut body = json!({"name": "a", "tags": ["x"]});
        replace(&mut body, "/metadata/source", json!("amberflo"));
        replace(&mut body, "/tags/-", json!("y"));
        replace(&mut body, "/tags/0", json!("w"));
        replace(&mut body, "/name/first", json!("Ada"));
        assert_eq!(
            body,
            json!({"name": {"first": "Ada"}, "tags": ["w", "y"], "metadata": {"source": "amberflo"}})
        );
        replace(&mut body, "", json!(1));
        assert_eq!(body, json!(1));
    }
}

#[cfg(test)]
mod lookup_tests {
    use super::*;

    #[test]
    fn lookup_reads_as_serde_json_pointer_does() {
        let v = serde_json::json!({"a": {"b/c": [1, {"d~e": true}]}, "": 0, "01": "x"});
        for p in [
            "",
            "/a",
            "/a/b~1c",
            "/a/b~1c/0",
            "/a/b~1c/1/d~0e",
            "/a/b~1c/01",
            "/a/b~1c/+1",
            "/a/b~1c/9",
            "/",
            "/01",
            "a",
            "/a/x/y",
        ] {
            assert_eq!(lookup(&v, p), v.pointer(p), "{p}");
        }
    }
}
