//! Idempotency keys.

/// A fresh idempotency key: a random (version 4) UUID.
pub fn idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_fresh_uuids() {
        let (a, b) = (super::idempotency_key(), super::idempotency_key());
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
    }
}
