//! Unit tests of the crawl front end on hand-written crawler exports (the property test
//! over generated ones is `tests/crawl.rs`).

use super::*;
use crate::{Kind, parse_str};

fn t3(p: &crate::Parsed, r: T3Row) -> Vec<String> {
    Col::ALL
        .iter()
        .map(|c| match p.report.t3(r, *c).map(|c| &c.value) {
            Some(CellValue::Number(d)) => d.to_string(),
            Some(CellValue::Ambiguous(v)) => format!("{v:?}"),
            Some(x) => format!("{x:?}"),
            None => "-".into(),
        })
        .collect()
}

#[test]
fn sample_2021_is_recovered() {
    let text = include_str!("sample2021.txt");
    assert!(detect(text));
    let p = parse_str(text, Kind::Text);
    for f in &p.findings {
        eprintln!("{} {}", f.rule, f.message);
    }
    assert_eq!(t3(&p, T3Row::R1), ["15", "2", "0", "1", "0", "0", "18"]);
}

#[test]
#[ignore]
fn debug_blocks() {
    let text = std::fs::read_to_string(std::env::var("CRAWL_FILE").unwrap()).unwrap();
    let c = crawl_to_doc(&text);
    for b in &c.doc.blocks {
        match b {
            Block::Para(p) => eprintln!(
                "PARA {}…{}",
                p.text.chars().take(40).collect::<String>(),
                p.text.chars().rev().take(20).collect::<String>().chars().rev().collect::<String>()
            ),
            Block::Table(g) => eprintln!(
                "GRID {:?}",
                g.rows.iter().map(|r| r.iter().map(|c| c.text.as_str()).collect::<Vec<_>>()).collect::<Vec<_>>()
            ),
        }
    }
}
