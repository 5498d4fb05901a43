//! Reading a response body for what a step reads of it: the members on the paths its
//! expressions follow are built into the JSON value; every other member is skipped as it is
//! parsed, never built. The value holds, at every path selected, exactly what parsing the whole
//! body would hold there, so reading it by JSON pointer gives the same answers.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// What a step reads of a JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    /// All of it.
    All,
    /// Of an object, the members named (each as its selection says, the others left out); of
    /// an array, every item as `items` says (`None`: each item is `null`, which keeps the
    /// array's length); a scalar as it is.
    Members {
        /// The members read, by name.
        keys: &'static [(&'static str, Select)],
        /// What is read of each item of an array.
        items: Option<&'static Select>,
    },
}

/// The body `bytes` as JSON, with only what `select` reads built; as text when it is not JSON;
/// `null` when empty.
pub fn json_selected(bytes: &[u8], select: &Select) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match Seed(select)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
    {
        Ok(v) => v,
        Err(_) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
    }
}

struct Seed<'s>(&'s Select);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.0 {
            Select::All => Value::deserialize(d),
            Select::Members { .. } => d.deserialize_any(Partial(self.0)),
        }
    }
}

struct Partial<'s>(&'s Select);

impl<'de> Visitor<'de> for Partial<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let keys = match self.0 {
            Select::Members { keys, .. } => *keys,
            Select::All => &[],
        };
        let mut out = Map::new();
        while let Some(found) = map.next_key_seed(Key(keys))? {
            match found.and_then(|i| keys.get(i)) {
                Some((name, select)) => {
                    let v = map.next_value_seed(Seed(select))?;
                    out.insert((*name).to_string(), v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let items = match self.0 {
            Select::Members { items, .. } => *items,
            Select::All => Some(&Select::All),
        };
        let mut out = Vec::new();
        match items {
            Some(select) => {
                while let Some(v) = seq.next_element_seed(Seed(select))? {
                    out.push(v);
                }
            }
            None => {
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    out.push(Value::Null);
                }
            }
        }
        Ok(Value::Array(out))
    }
}

/// A member's name, as the index of the selected member it names, if any; no name is built.
struct Key<'s>(&'s [(&'static str, Select)]);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|(k, _)| *k == v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BODY: &str = r#"{"id":"c1","skip":{"deep":[1,2,{"x":"y"}]},"owner":{"login":"ada","id":7},
        "items":[{"n":1,"big":"…"},{"n":2}],"tags":["a","b","c"],"escaped\u0041":1,"id2":null}"#;

    #[test]
    fn every_selected_pointer_reads_as_in_the_whole_body() {
        const SELECT: Select = Select::Members {
            keys: &[
                ("id", Select::All),
                (
                    "owner",
                    Select::Members {
                        keys: &[("login", Select::All)],
                        items: None,
                    },
                ),
                (
                    "items",
                    Select::Members {
                        keys: &[],
                        items: Some(&Select::Members {
                            keys: &[("n", Select::All)],
                            items: None,
                        }),
                    },
                ),
                (
                    "tags",
                    Select::Members {
                        keys: &[],
                        items: None,
                    },
                ),
                ("escapedA", Select::All),
                ("missing", Select::All),
            ],
            items: None,
        };
        let whole: Value = serde_json::from_str(BODY).unwrap();
        let part = json_selected(BODY.as_bytes(), &SELECT);
        for p in [
            "/id",
            "/owner/login",
            "/items/0/n",
            "/items/1/n",
            "/escapedA",
            "/missing",
            "/owner/none",
        ] {
            assert_eq!(part.pointer(p), whole.pointer(p), "{p}");
        }
        // What is not selected is not built; an array keeps its length.
        assert_eq!(part.get("skip"), None);
        assert_eq!(part.pointer("/owner/id"), None);
        assert_eq!(part["tags"], json!([null, null, null]));
        assert_eq!(part["items"][0], json!({"n": 1}));
    }

    #[test]
    fn all_is_the_whole_body_and_other_text_stays_text() {
        assert_eq!(
            json_selected(BODY.as_bytes(), &Select::All),
            serde_json::from_str::<Value>(BODY).unwrap()
        );
        let nothing = Select::Members {
            keys: &[],
            items: None,
        };
        assert_eq!(json_selected(b"", &nothing), Value::Null);
        assert_eq!(json_selected(b"plain text", &nothing), json!("plain text"));
        assert_eq!(
            json_selected(b"{\"a\":1} trailing", &nothing),
            json!("{\"a\":1} trailing")
        );
        assert_eq!(json_selected(b"42", &nothing), json!(42));
        assert_eq!(
            json_selected(
                b"{\"a\":1,\"a\":2}",
                &Select::Members {
                    keys: &[("a", Select::All)],
                    items: None
                }
            ),
            json!({"a": 2})
        );
    }
}
