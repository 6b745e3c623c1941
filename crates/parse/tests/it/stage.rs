//! The parser reports only what it could and could not read (`P` findings); every finding that
//! judges a report against SPEC (`E`, `D`) is the checker's, from the `Report` the parser
//! recorded (ARCHITECTURE.md, "Who emits which finding").

use std::path::Path;

/// Every `Finding::new("…"` in this crate's source names a `P` rule.
#[test]
fn the_parser_emits_only_parse_findings() {
    let files = gongkai_testkit::rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let mut calls = 0;
    for p in &files {
        let src = std::fs::read_to_string(p).unwrap();
        for (at, _) in src.match_indices("Finding::new(") {
            let rest = src[at + "Finding::new(".len()..].trim_start();
            // A rule id given as a literal; anything else (a variable) would escape this check,
            // so it is refused too.
            let id: String = rest.strip_prefix('"').unwrap_or("").chars().take_while(|c| *c != '"').collect();
            assert!(
                id.starts_with('P'),
                "{}: Finding::new with rule {id:?}: the parser may emit only P findings",
                p.display()
            );
            calls += 1;
        }
    }
    assert!(files.len() > 10 && calls > 10, "{} files, {calls} findings: the scan found the source", files.len());
}

/// The same on real reports: whatever the input, the parser's findings are `P` findings.
#[test]
fn parsed_corpus_findings_are_parse_findings() {
    let Some(corpus) = gongkai_testkit::corpus("parsed_corpus_findings_are_parse_findings") else { return };
    let mut n = 0;
    for sub in ["reports", "partial", "crawl"] {
        let Ok(dir) = std::fs::read_dir(corpus.join(sub)) else { continue };
        for e in dir {
            let p = e.unwrap().path();
            let parsed = gongkai_parse::parse_bytes(std::fs::read(&p).unwrap(), p.file_name().and_then(|n| n.to_str()));
            for f in &parsed.findings {
                assert!(f.rule.starts_with('P'), "{}: the parser emitted {} ({})", p.display(), f.rule, f.message);
            }
            n += 1;
        }
    }
    assert!(n >= 40, "only {n} corpus files read");
}
