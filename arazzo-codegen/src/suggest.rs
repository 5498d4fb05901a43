//! "Did you mean …?": the candidates closest to a misspelt name.

/// Edit distance (insertions, deletions, substitutions) between two strings, by character.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Candidates close enough to `name` to be a likely typo, best first, at most `n`. Case is
/// ignored for closeness.
pub fn ranked<'a>(name: &str, candidates: &[&'a str], n: usize) -> Vec<&'a str> {
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .map(|c| (distance(&lower, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

/// The one candidate closest to `name`, if any is close enough.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    ranked(name, candidates, 1).into_iter().next()
}

/// Formats names as a list of code spans: `` `a`, `b` ``.
pub fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn ranks_close_names() {
        let c = ["getCustomerById", "listCustomers", "createCustomer"];
        assert_eq!(closest("getCustomerByID", &c), Some("getCustomerById"));
        assert_eq!(closest("getCustomer", &c), None);
        assert_eq!(
            ranked("createCustomers", &c, 3),
            vec!["createCustomer", "listCustomers"]
        );
    }
}
