//! The form encoder as serde visitors: members are written as the JSON is read, so a body
//! given as text is encoded without building its value first.

use std::fmt::{self, Write as _};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{field, push, Style};

/// The body: an object's members, each in its style; anything else encodes as nothing.
pub(super) struct Body<'a> {
    pub(super) out: &'a mut String,
    pub(super) styles: &'a [(&'a str, Style)],
}

impl<'de> DeserializeSeed<'de> for Body<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Body<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut key = String::new();
        while map.next_key_seed(Append(&mut key))?.is_some() {
            let style = self
                .styles
                .iter()
                .find(|(n, _)| *n == key)
                .map_or(Style::DeepObject, |(_, s)| *s);
            if style == Style::DeepObject {
                map.next_value_seed(Deep {
                    out: self.out,
                    key: &mut key,
                })?;
            } else {
                // The other styles are rare and look at the whole value: build it.
                let value: Value = map.next_value()?;
                field(self.out, &key, &value, style);
            }
            key.clear();
        }
        Ok(())
    }
}

/// A key, appended to the text before it.
struct Append<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for Append<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Append<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.push_str(v);
        Ok(())
    }
}

/// A value in the deep-object style under `key`: `key[member]=…`, `key[0]=…`, recursively;
/// nulls are left out, other scalars written as JSON writes them.
struct Deep<'a> {
    out: &'a mut String,
    key: &'a mut String,
}

impl<'de> DeserializeSeed<'de> for Deep<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Deep<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        push(self.out, self.key, if v { "true" } else { "false" });
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        push(self.out, self.key, &v.to_string());
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        push(self.out, self.key, &v.to_string());
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        // As a JSON value writes the number (JSON text holds no NaN or infinity).
        if let Some(n) = serde_json::Number::from_f64(v) {
            push(self.out, self.key, &n.to_string());
        }
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        push(self.out, self.key, v);
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let len = self.key.len();
        for i in 0usize.. {
            // Writing to a String cannot fail.
            let _ = write!(self.key, "[{i}]");
            let more = seq
                .next_element_seed(Deep {
                    out: self.out,
                    key: self.key,
                })?
                .is_some();
            self.key.truncate(len);
            if !more {
                break;
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let len = self.key.len();
        loop {
            self.key.push('[');
            if map.next_key_seed(Append(self.key))?.is_none() {
                self.key.truncate(len);
                return Ok(());
            }
            self.key.push(']');
            map.next_value_seed(Deep {
                out: self.out,
                key: self.key,
            })?;
            self.key.truncate(len);
        }
    }
}
