//! Names: schema names the client generator would make collide, and enum variant names.

use super::*;

/// Names of the standard prelude that the client generator's code writes unqualified (as
/// `Default::default()`, `Result<…>`, `Ok(…)`): a type of the same name in its module would
/// stand in their place.
const STANDARD_NAMES: &[&str] = &[
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Drop",
    "Eq",
    "Err",
    "Fn",
    "From",
    "Hash",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Vec",
];

impl Normaliser<'_> {
    /// Schemas whose names would give the same Rust type name as another schema, or as a
    /// type the client generator derives for an inline schema (`Subscription.schedule` is
    /// `SubscriptionSchedule`), are renamed, numbered, and every reference follows. Renaming
    /// changes the names derived inside the renamed schema, so this runs until nothing moves.
    pub(super) fn schema_names(&mut self, doc: &mut Value) {
        for _ in 0..4 {
            if !self.schema_names_once(doc) {
                return;
            }
        }
    }

    pub(super) fn schema_names_once(&mut self, doc: &mut Value) -> bool {
        let Some(Value::Object(schemas)) = doc.get("components").and_then(|c| c.get("schemas"))
        else {
            return false;
        };
        let derived = crate::openapi::typenames::derived(doc);
        let names: Vec<String> = schemas.keys().cloned().collect();
        let fold = type_key;
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        for name in &names {
            let key = fold(name);
            let inline = derived.get(&key);
            let standard = STANDARD_NAMES.iter().any(|n| type_key(n) == key);
            if inline.is_none() && !standard && taken.insert(key) {
                continue;
            }
            let mut k = 2;
            let new = loop {
                let candidate = format!("{name}{k}");
                let key = fold(&candidate);
                if !names.contains(&candidate) && !derived.contains_key(&key) && taken.insert(key) {
                    break candidate;
                }
                k += 1;
            };
            let why = match inline {
                Some(at) => {
                    format!("the type the client generator derives for the inline schema at `{at}`")
                }
                None if standard => format!(
                    "the standard `{}`, which the client generator's code names unqualified",
                    crate::names::ident(name, crate::names::Case::Camel)
                ),
                None => "another schema".to_string(),
            };
            self.change("renamed", 
                &source::child("/components/schemas", name),
                format!("schema `{name}` would get the same Rust name as {why}; it is generated as `{new}`"),
            );
            renames.insert(name.clone(), new);
        }
        if renames.is_empty() {
            return false;
        }
        rename_schemas(doc, &renames);
        true
    }

    /// String enums whose values collide as Rust variant names, or give names that are not
    /// ASCII, are read as plain strings.
    pub(super) fn enums(&mut self, doc: &mut Value) {
        let mut found = Vec::new();
        let mut narrowed = Vec::new();
        let mut unusual = Vec::new();
        crate::openapi::walk::schemas(doc, &mut |s, at| {
            if !s.contains_key("enum") {
                return;
            }
            let combined: Vec<&str> = ["allOf", "anyOf", "oneOf"]
                .into_iter()
                .filter(|k| s.contains_key(*k))
                .collect();
            if !combined.is_empty() {
                narrowed.push((at.to_string(), combined.join(", ")));
                for k in combined {
                    s.remove(k);
                }
                // What only the alternatives needed goes with them when the values are scalars.
                let scalars = s
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|v| v.iter().all(|x| !x.is_array() && !x.is_object()));
                if scalars {
                    for k in ["items", "properties", "additionalProperties"] {
                        s.remove(k);
                    }
                }
            }
            let mut seen: BTreeMap<String, String> = BTreeMap::new();
            let values: Vec<String> = s
                .get("enum")
                .and_then(Value::as_array)
                .map(|v| {
                    v.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            for v in values {
                let name = crate::names::ident(&v, crate::names::Case::Camel);
                if !name.is_ascii() {
                    // rustc warns on some non-ASCII identifiers (`uncommon_codepoints`), and
                    // only a crate can allow that.
                    unusual.push((at.to_string(), v));
                    s.remove("enum");
                    return;
                }
                // The client generator writes a name that starts with a digit after an `X`,
                // so `2C` and `X2C` are one name.
                let key = name
                    .strip_prefix('_')
                    .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
                    .map_or_else(|| name.clone(), |r| format!("X{r}"));
                if let Some(first) = seen.insert(key, v.clone()) {
                    found.push((at.to_string(), first, v));
                    s.remove("enum");
                    return;
                }
            }
        });
        for (at, combined) in narrowed {
            self.change("schema", &at, format!("an `enum` beside `{combined}` is read as the enum alone (its values already say what is allowed)"));
        }
        for (at, v) in unusual {
            self.change("renamed", &at, format!("enum value `{v}` would give a Rust name that is not ASCII; the enum is read as its base type"));
        }
        for (at, a, b) in found {
            self.change("renamed", &at, format!("enum values `{a}` and `{b}` would get the same Rust name; the enum is read as its base type"));
        }
    }
}

/// Renames the component schema whose Rust type name is `type_name`, which the client
/// generator also gives another type it derives: a collision found in its output.
/// Returns the old and new names, or `None` when no component has that name.
pub fn rename_schema_typed(doc: &mut Value, type_name: &str) -> Option<(String, String)> {
    let fold = type_key;
    let schemas = doc.get("components")?.get("schemas")?.as_object()?;
    let key = fold(type_name);
    let old = schemas.keys().find(|n| fold(n) == key)?.clone();
    let taken: BTreeSet<String> = schemas.keys().map(|n| fold(n)).collect();
    let derived = crate::openapi::typenames::derived(doc);
    let new = (2..)
        .map(|k| format!("{old}{k}"))
        .find(|c| !taken.contains(&fold(c)) && !derived.contains_key(&fold(c)))?;
    rename_schemas(doc, &[(old.clone(), new.clone())].into());
    Some((old, new))
}

/// Reads component schema `name` as untyped JSON (keeping its description), under the name
/// `original` again. Returns whether there was such a component.
pub fn untype_schema(doc: &mut Value, name: &str, original: &str) -> bool {
    let Some(Value::Object(schemas)) = doc.get_mut("components").and_then(|c| c.get_mut("schemas"))
    else {
        return false;
    };
    let Some(Value::Object(schema)) = schemas.get_mut(name) else {
        return false;
    };
    schema.retain(|k, _| k == "description");
    rename_schemas(doc, &[(name.to_string(), original.to_string())].into());
    true
}

/// How the Rust type name of schema `name` compares with others (see `typenames::fold`).
pub(super) fn type_key(name: &str) -> String {
    crate::openapi::typenames::fold(&crate::names::ident(name, crate::names::Case::Camel))
}

/// Renames component schemas (old name to new) and every `$ref` to them.
pub(super) fn rename_schemas(doc: &mut Value, renames: &BTreeMap<String, String>) {
    if let Some(Value::Object(schemas)) =
        doc.get_mut("components").and_then(|c| c.get_mut("schemas"))
    {
        for (old, new) in renames {
            if let Some(v) = schemas.remove(old) {
                schemas.insert(new.clone(), v);
            }
        }
    }
    let map: BTreeMap<String, String> = renames
        .iter()
        .map(|(o, n)| {
            (
                format!("#/components/schemas/{}", source::escape_token(o)),
                format!("#/components/schemas/{}", source::escape_token(n)),
            )
        })
        .collect();
    rewrite_refs(doc, &map);
}
