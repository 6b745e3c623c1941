//! Property tests for the identities E1–E4 (SPEC §1.7): a consistent report gives no
//! identity finding, and changing any single cell gives exactly the findings that change
//! implies.

use std::collections::BTreeSet;

use gongkai_model::{Cell, Col, Report, T3Row, T4Group, T4Outcome};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A consistent report from generated counts: per column, result rows and carry-overs are
/// drawn, then R1 is derived so that E1 holds, R3.7 so that E2 holds and TOT so that E3 holds.
fn consistent(sub: bool, results: &[Vec<u32>], carry: &[(u32, u32)], t4: &[[u32; 4]; 3]) -> Report {
    let mut r = Report::empty();
    let rows: Vec<T3Row> = T3Row::result_rows(sub).collect();
    let set = |r: &mut Report, row: T3Row, c: Col, v: i64| {
        r.table3.entry(row).or_default().insert(c, Cell::number(v));
    };
    for (ci, c) in Col::ALL[..6].iter().enumerate() {
        let mut total = 0i64;
        for (ri, row) in rows.iter().enumerate() {
            let v = i64::from(results[ri][ci]);
            total += v;
            set(&mut r, *row, *c, v);
        }
        let (r2, r4) = carry[ci];
        set(&mut r, T3Row::R3_7, *c, total);
        set(&mut r, T3Row::R2, *c, i64::from(r2));
        set(&mut r, T3Row::R4, *c, i64::from(r4));
        // R1 = R3.7 + R4 − R2, kept non-negative by construction below.
        set(&mut r, T3Row::R1, *c, total + i64::from(r4) - i64::from(r2));
    }
    let rows3: Vec<T3Row> = r.table3.keys().copied().collect();
    for row in rows3 {
        let sum: Decimal = Col::ALL[..6].iter().filter_map(|c| r.t3(row, *c).and_then(Cell::as_number)).sum();
        r.table3.entry(row).or_default().insert(Col::Tot, Cell::number(sum));
    }
    for (g, vals) in T4Group::ALL.iter().zip(t4) {
        let m = r.table4.entry(*g).or_default();
        for (o, v) in T4Outcome::ALL[..4].iter().zip(vals) {
            m.insert(*o, Cell::number(*v));
        }
        m.insert(T4Outcome::Tot, Cell::number(vals.iter().sum::<u32>()));
    }
    r
}

fn identity_findings(r: &Report) -> BTreeSet<(String, String)> {
    gongkai_rules::check(r)
        .into_iter()
        .filter(|f| ["E1", "E2", "E3", "E4"].contains(&f.rule.as_str()))
        .map(|f| (f.rule.clone(), f.cells.first().cloned().unwrap_or_default()))
        .collect()
}

/// The findings a change of T3[row][col] implies: E3 for the row; E1 for the column when the
/// row is R1/R2/R3.7/R4; E2 for the column when the row is a result row or R3.7.
fn implied_t3(row: T3Row, col: Col, sub: bool) -> BTreeSet<(String, String)> {
    let mut s = BTreeSet::new();
    s.insert(("E3".to_string(), format!("table3.{}.NP", row.id())));
    let e1_first = format!("table3.R1.{}", col.id());
    let e2_first = format!("table3.R3.7.{}", col.id());
    if matches!(row, T3Row::R1 | T3Row::R2 | T3Row::R3_7 | T3Row::R4) {
        s.insert(("E1".to_string(), e1_first));
    }
    if row == T3Row::R3_7 || T3Row::result_rows(sub).any(|r| r == row) {
        s.insert(("E2".to_string(), e2_first));
    }
    s
}

/// (with R3.6 sub-rows, result counts per row × column, (R2, R4) per column, table 四 outcomes)
type Counts = (bool, Vec<Vec<u32>>, Vec<(u32, u32)>, [[u32; 4]; 3]);

fn strategy() -> impl Strategy<Value = Counts> {
    any::<bool>().prop_flat_map(|sub| {
        let n = T3Row::result_rows(sub).count();
        (
            Just(sub),
            prop::collection::vec(prop::collection::vec(0u32..50, 6), n),
            // R2 ≤ R4 keeps the derived R1 non-negative.
            prop::collection::vec((0u32..20).prop_flat_map(|r2| (Just(r2), r2..40)), 6),
            prop::array::uniform3(prop::array::uniform4(0u32..30)),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn consistent_reports_satisfy_e1_to_e4((sub, results, carry, t4) in strategy()) {
        let r = consistent(sub, &results, &carry, &t4);
        prop_assert!(identity_findings(&r).is_empty(), "{:?}", identity_findings(&r));
    }

    #[test]
    fn one_changed_table3_cell_gives_exactly_the_implied_findings(
        (sub, results, carry, t4) in strategy(),
        row_ix in 0usize..25,
        col_ix in 0usize..7,
        delta in prop_oneof![1i64..100, -100i64..-1],
    ) {
        let mut r = consistent(sub, &results, &carry, &t4);
        let rows: Vec<T3Row> = r.table3.keys().copied().collect();
        let row = rows[row_ix % rows.len()];
        let col = Col::ALL[col_ix];
        let cell = r.table3.get_mut(&row).unwrap().get_mut(&col).unwrap();
        let v = cell.as_number().unwrap() + Decimal::from(delta);
        *cell = Cell::number(v);
        prop_assert_eq!(identity_findings(&r), implied_t3(row, col, sub));
    }

    #[test]
    fn one_changed_table4_cell_gives_exactly_one_e4(
        (sub, results, carry, t4) in strategy(),
        g_ix in 0usize..3,
        o_ix in 0usize..5,
        delta in 1i64..100,
    ) {
        let mut r = consistent(sub, &results, &carry, &t4);
        let g = T4Group::ALL[g_ix];
        let cell = r.table4.get_mut(&g).unwrap().get_mut(&T4Outcome::ALL[o_ix]).unwrap();
        *cell = Cell::number(cell.as_number().unwrap() + Decimal::from(delta));
        let want: BTreeSet<_> = [("E4".to_string(), format!("table4.{}.MAINT", g.id()))].into();
        prop_assert_eq!(identity_findings(&r), want);
    }

    #[test]
    fn a_blank_cell_never_produces_an_arithmetic_finding(
        (sub, results, carry, t4) in strategy(),
        row_ix in 0usize..25,
        col_ix in 0usize..7,
    ) {
        let mut r = consistent(sub, &results, &carry, &t4);
        let rows: Vec<T3Row> = r.table3.keys().copied().collect();
        let row = rows[row_ix % rows.len()];
        r.table3.get_mut(&row).unwrap().insert(Col::ALL[col_ix], Cell::blank());
        prop_assert!(identity_findings(&r).is_empty());
        prop_assert!(gongkai_rules::check(&r).iter().any(|f| f.rule == "D8"));
    }
}
