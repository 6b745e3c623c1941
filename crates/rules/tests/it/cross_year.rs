//! Cross-year checks (SPEC §1.7 E5, E6; §6 D15) on consecutive generated reports.

use gongkai_model::{Cell, Col, T2Col, T2Row, T3Row};
use gongkai_rules::cross::{check_consecutive, same_organ};
use gongkai_synth::{SynthOptions, report};

fn pair(seed: u64) -> (gongkai_model::Report, gongkai_model::Report) {
    let prev = report(seed, &SynthOptions::default());
    let mut cur = report(seed + 1000, &SynthOptions::default());
    cur.year.as_mut().unwrap().value = prev.year.as_ref().unwrap().value + 1;
    // Continuity by construction: carried over = last year's carried forward; stock flows.
    for c in Col::ALL {
        let v = prev.t3(T3Row::R4, *c).unwrap().clone();
        cur.table3.get_mut(&T3Row::R2).unwrap().insert(*c, v);
    }
    for row in [T2Row::Reg, T2Row::Norm] {
        let v0 = prev.table2[&row][&T2Col::Valid].as_number().unwrap();
        let m = cur.table2.get_mut(&row).unwrap();
        let flow = m[&T2Col::Issued].as_number().unwrap() - m[&T2Col::Repealed].as_number().unwrap();
        m.insert(T2Col::Valid, Cell::number(v0 + flow));
    }
    (prev, cur)
}

#[test]
fn continuous_years_give_no_finding() {
    for seed in 0..50 {
        let (prev, cur) = pair(seed);
        assert!(check_consecutive(&prev, &cur).is_empty(), "seed {seed}");
    }
}

#[test]
fn e5_broken_carry_over_is_found_per_column() {
    let (prev, mut cur) = pair(7);
    let np = cur.t3(T3Row::R2, Col::Np).unwrap().as_number().unwrap();
    cur.table3.get_mut(&T3Row::R2).unwrap().insert(Col::Np, Cell::number(np + rust_decimal::Decimal::ONE));
    let f = check_consecutive(&prev, &cur);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].rule, "E5");
    assert_eq!(f[0].cells, vec!["table3.R2.NP".to_string()]);
}

#[test]
fn e6_broken_stock_is_found() {
    let (prev, mut cur) = pair(8);
    cur.table2.get_mut(&T2Row::Norm).unwrap().insert(T2Col::Valid, Cell::number(99_999));
    let f = check_consecutive(&prev, &cur);
    assert_eq!(f.iter().map(|x| x.rule.as_str()).collect::<Vec<_>>(), vec!["E6"]);
}

#[test]
fn d15_identical_tables_across_years() {
    let (prev, _) = pair(9);
    let mut cur = prev.clone();
    cur.year.as_mut().unwrap().value += 1;
    // Identical tables also keep carry-over continuity only by accident: E5 may fire too.
    let f = check_consecutive(&prev, &cur);
    assert!(f.iter().any(|x| x.rule == "D15"), "{f:?}");
}

#[test]
fn organ_names_match_by_suffix() {
    assert!(same_organ("淮安市洪泽区人民政府", "洪泽区人民政府"));
    assert!(!same_organ("洪泽区人民政府", "淮安市人民政府"));
}
