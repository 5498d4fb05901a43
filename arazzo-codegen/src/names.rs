//! The one naming function: Rust identifiers from names in documents.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words Rust reserves, in every edition this generator targets.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// The case of an identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// `snake_case`: functions, modules, fields.
    Snake,
    /// `UpperCamelCase`: types and variants.
    Camel,
}

/// A valid Rust identifier for `name` in the given case: characters that cannot appear are
/// dropped, a leading digit gets a `_` before it, and a keyword becomes a raw identifier (or
/// gets a trailing `_` where Rust allows no raw form). Returns the identifier as text.
pub fn ident(name: &str, case: Case) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut s = match case {
        Case::Snake => cleaned.to_snake_case(),
        Case::Camel => cleaned.to_upper_camel_case(),
    };
    if s.is_empty() {
        s = "_".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    } else if KEYWORDS.contains(&s.as_str()) {
        s.insert_str(0, "r#");
    }
    s
}

/// Gives each name an identifier distinct from the others', numbering collisions in order.
pub fn distinct(names: &[&str], case: Case) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    for n in names {
        let base = ident(n, case);
        let mut id = base.clone();
        let mut k = 2;
        while taken.contains(&id) {
            id = format!("{base}_{k}");
            k += 1;
        }
        taken.push(id);
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_becomes_a_usable_identifier() {
        for k in KEYWORDS {
            let id = ident(k, Case::Snake);
            let parsed = if let Some(raw) = id.strip_prefix("r#") {
                syn::parse_str::<syn::Ident>(&id).map(|i| i == format!("r#{raw}"))
            } else {
                syn::parse_str::<syn::Ident>(&id).map(|_| true)
            };
            assert_eq!(parsed.ok(), Some(true), "`{k}` gave `{id}`");
        }
        assert_eq!(ident("type", Case::Snake), "r#type");
        assert_eq!(ident("self", Case::Snake), "self_");
        assert_eq!(ident("Self", Case::Camel), "Self_");
    }

    #[test]
    fn names_from_documents() {
        assert_eq!(
            ident("sync-customer-to-stripe", Case::Snake),
            "sync_customer_to_stripe"
        );
        assert_eq!(
            ident("amberfloBillingApi", Case::Snake),
            "amberflo_billing_api"
        );
        assert_eq!(
            ident("Search Articles by Keyword", Case::Snake),
            "search_articles_by_keyword"
        );
        assert_eq!(ident("2fa-login", Case::Snake), "_2fa_login");
        assert_eq!(ident("---", Case::Snake), "_");
        assert_eq!(
            ident("get-amberflo-customer", Case::Camel),
            "GetAmberfloCustomer"
        );
    }

    #[test]
    fn colliding_names_are_numbered() {
        assert_eq!(
            distinct(&["a-b", "a_b", "aB", "c"], Case::Snake),
            vec!["a_b", "a_b_2", "a_b_3", "c"]
        );
    }
}
