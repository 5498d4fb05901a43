//! Idempotency keys: random per visit, or derived from a run key.

use uuid::Uuid;

/// The namespace of derived keys (a fixed random UUID: keys of other schemes never collide).
const NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2d3e_8a41_4b7f_9c05_d2e8_7a13_b640);

/// A random (version 4) key.
pub(super) fn random() -> String {
    Uuid::new_v4().to_string()
}

/// A key derived (version 5) from the run key, the step (document, workflow, step id) and the
/// visit: the same inputs give the same key, any change another.
pub(super) fn derived(
    run_key: &str,
    (doc, workflow, step): (&str, &str, &str),
    visit: u32,
) -> String {
    let mut name = Vec::new();
    for part in [run_key, doc, workflow, step] {
        // Length-prefixed: ("ab", "c") and ("a", "bc") differ.
        name.extend_from_slice(&(part.len() as u64).to_be_bytes());
        name.extend_from_slice(part.as_bytes());
    }
    name.extend_from_slice(&visit.to_be_bytes());
    Uuid::new_v5(&NAMESPACE, &name).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_are_stable_and_differ_by_every_part() {
        let step = ("doc.yml", "wf", "create");
        let k = derived("cust-1", step, 1);
        assert_eq!(k, derived("cust-1", step, 1));
        assert_eq!(Uuid::parse_str(&k).unwrap().get_version_num(), 5);
        for other in [
            derived("cust-2", step, 1),
            derived("cust-1", ("other.yml", "wf", "create"), 1),
            derived("cust-1", ("doc.yml", "wf2", "create"), 1),
            derived("cust-1", ("doc.yml", "wf", "create2"), 1),
            derived("cust-1", step, 2),
            derived("cust-", ("1doc.yml", "wf", "create"), 1),
        ] {
            assert_ne!(k, other);
        }
    }

    #[test]
    fn random_keys_are_fresh() {
        assert_ne!(random(), random());
    }
}
