//! Lists what was generated and compiled, and checks the parts of the corpus that must be.

use corpus_clients::DOCUMENTS;

#[test]
fn resolvable_corpus_documents_generate_and_compile() {
    let mut generated = 0;
    for (doc, verdict, warnings, lines) in DOCUMENTS {
        println!("{verdict:<15} {warnings:>3} warnings {lines:>6} lines  {doc}");
        if *verdict == "generated" {
            generated += 1;
        }
    }
    println!(
        "{generated} of {} documents generated and compiled",
        DOCUMENTS.len()
    );
    let seed_and_amberflo = DOCUMENTS
        .iter()
        .filter(|(d, ..)| d.starts_with("amberflo/") || d.starts_with("seed/"))
        .collect::<Vec<_>>();
    assert_eq!(seed_and_amberflo.len(), 13);
    assert!(seed_and_amberflo.iter().all(|(_, v, ..)| *v == "generated"));
    assert!(generated >= 30, "only {generated} documents generated");
}
