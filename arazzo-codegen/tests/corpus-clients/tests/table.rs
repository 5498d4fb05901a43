//! Lists what was generated and compiled, and checks the parts of the corpus that must be.

use corpus_clients::DOCUMENTS;

#[test]
fn resolvable_corpus_documents_generate_and_compile() {
    let mut generated = 0;
    let mut functions = 0;
    for (doc, verdict, warnings, lines, fns, _) in DOCUMENTS {
        println!(
            "{verdict:<15} {warnings:>3} warnings {lines:>6} lines {fns:>2} workflow fns  {doc}"
        );
        functions += fns;
        if *verdict == "generated" {
            generated += 1;
        }
    }
    println!(
        "{generated} of {} documents generated and compiled, with {functions} workflow functions",
        DOCUMENTS.len()
    );
    let seed = DOCUMENTS
        .iter()
        .find(|d| d.0.starts_with("seed/"))
        .expect("the seed");
    assert_eq!(seed.4, 1, "the seed's workflow becomes a function");
    assert!(functions >= 20, "only {functions} workflow functions");
    let seed_and_amberflo = DOCUMENTS
        .iter()
        .filter(|(d, ..)| d.starts_with("amberflo/") || d.starts_with("seed/"))
        .collect::<Vec<_>>();
    assert_eq!(seed_and_amberflo.len(), 13);
    assert!(seed_and_amberflo.iter().all(|(_, v, ..)| *v == "generated"));
    assert!(generated >= 30, "only {generated} documents generated");
}
