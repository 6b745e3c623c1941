//! Tables 二, 三 and 四 from the records (SPEC §1.4–§1.7, §2.2).

use gongkai_model::{Cell, CellValue, Col, Row, T2Col, T2Row, T3Row, T4Outcome, Table2, Table3, Table4};
use gongkai_register::{CaseKind, CatalogueKind, OrganId, Outcome, Validity, YearlyCounts};
use rust_decimal::Decimal;

use crate::{Note, NoteKind, Period, Records, Scope};

/// 信息处理费 collected in the year: fees paid in Y, with the amounts of their fee notices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FeeFacts {
    /// Applications whose fee was paid in Y.
    pub paid: u64,
    /// Total in yuan; None when a paid notice has no amount recorded or the sum would not fit
    /// in 64 bits (`overflow`; amounts are bounded at input, so only corrupt data gets here).
    pub yuan: Option<u64>,
    pub overflow: bool,
}

pub(crate) struct T3Out {
    pub table: Table3,
    pub fees: FeeFacts,
}

/// The table-三 row of an outcome in the given format: the 2019 format has a single （六）
/// row, so R3.6.1–R3.6.3 fold into R3.6 (SPEC §2.2).
fn outcome_row(o: Outcome, f2021: bool) -> T3Row {
    match o {
        Outcome::R3_6_1 | Outcome::R3_6_2 | Outcome::R3_6_3 if !f2021 => T3Row::R3_6,
        // An outcome is defined by its table-三 row (`Outcome::row`, an exhaustive match).
        o => o.row(),
    }
}

/// Column index 0–5 of an applicant column (TOT is derived).
fn col_index(c: Col) -> usize {
    Col::ALL.iter().position(|x| *x == c).unwrap_or(5)
}

/// Up to `max` names, then "等N件".
pub(crate) fn list(names: &[String], max: usize) -> String {
    let mut s = names.iter().take(max).cloned().collect::<Vec<_>>().join("、");
    if names.len() > max {
        s.push_str(&format!("等{}件", names.len()));
    }
    s
}

/// Table 三 (SPEC §1.7 counting semantics):
/// R1 = received in Y; R2 = open at the end of Y−1; R3.x = concluded in Y, in the one row of its
/// conclusion (E8); R3.7 = Σ R3.x (E2); R4 = open at the end of Y; TOT = Σ columns (E3).
/// With receipt ≤ conclusion, every application adds the same amount to R1 + R2 as to R3.7 + R4
/// in every year (E1), and R2 of Y+1 counts exactly the applications of R4 of Y (E5).
pub(crate) fn table3(
    apps: impl Iterator<Item = crate::AppFacts>,
    scope: &Scope,
    p: Period,
    f2021: bool,
    notes: &mut Vec<Note>,
) -> T3Out {
    let rows: &[T3Row] = if f2021 { T3Row::ROWS_2021 } else { T3Row::ROWS_2019 };
    let idx = |row: T3Row| rows.iter().position(|r| *r == row).unwrap_or(0);
    let (i_r1, i_r2, i_r37, i_r4) = (idx(T3Row::R1), idx(T3Row::R2), idx(T3Row::R3_7), idx(T3Row::R4));
    let mut counts = vec![[0u64; 6]; rows.len()];
    let mut no_receipt = Vec::new();
    let mut backwards = Vec::new();
    let mut fees = FeeFacts { paid: 0, yuan: Some(0), overflow: false };
    for a in apps.filter(|a| scope.contains(a.organ)) {
        let Some(received) = a.received else {
            no_receipt.push(a.serial.clone());
            continue;
        };
        let conclusion = a.conclusion;
        if conclusion.is_some_and(|c| c.date < received) {
            backwards.push(a.serial.clone());
            continue;
        }
        let c = col_index(a.kind.col());
        let open_at = |day| received <= day && conclusion.is_none_or(|k| k.date > day);
        if p.contains(received) {
            counts[i_r1][c] += 1;
        }
        if open_at(p.prev_end) {
            counts[i_r2][c] += 1;
        }
        if let Some(k) = conclusion
            && p.contains(k.date)
        {
            counts[idx(outcome_row(k.outcome, f2021))][c] += 1;
            counts[i_r37][c] += 1;
        }
        if open_at(p.end) {
            counts[i_r4][c] += 1;
        }
        for (paid, amount) in &a.fees_paid {
            if p.contains(*paid) {
                fees.paid += 1;
                // Checked: a wrapped sum would state a false total (18446744073709551615 + 2
                // once printed as 1元).
                fees.yuan = match (fees.yuan, amount) {
                    (Some(t), Some(x)) => t.checked_add(*x).or_else(|| {
                        fees.overflow = true;
                        None
                    }),
                    _ => None,
                };
            }
        }
    }
    if fees.overflow {
        notes.push(Note::new(
            NoteKind::Unreadable,
            "登记的信息处理费金额之和超出可计算的范围（记录有误），合计金额未写入，请核实收费通知的金额",
        ));
    }
    if !no_receipt.is_empty() {
        notes.push(Note::new(
            NoteKind::Skipped,
            format!("{}件申请的事件记录中没有“收到申请”，未计入表三：{}", no_receipt.len(), list(&no_receipt, 20)),
        ));
    }
    if !backwards.is_empty() {
        notes.push(Note::new(
            NoteKind::Skipped,
            format!(
                "{}件申请的办结日期早于收到申请之日，记录有误，未计入表三：{}",
                backwards.len(),
                list(&backwards, 20)
            ),
        ));
    }
    let mut table = Table3::new();
    for (row, vals) in rows.iter().zip(&counts) {
        let mut m: Row<Col> = Col::ALL[..6].iter().zip(vals).map(|(c, v)| (*c, Cell::number(*v))).collect();
        m.insert(Col::Tot, Cell::number(vals.iter().sum::<u64>()));
        table.insert(*row, m);
    }
    T3Out { table, fees }
}

/// Fees paid in the year, with the amount of the fee notice they answer.
fn put(t: &mut Table2, row: T2Row, col: T2Col, cell: Cell) {
    t.entry(row).or_default().insert(col, cell);
}

fn cell_name(row: T2Row, col: T2Col) -> String {
    format!("table2.{}.{}", row.id(), col.id())
}

/// Table 二: block A from the catalogue, blocks B–D from the yearly counts (SPEC §1.4, §2.2).
pub(crate) fn table2(
    records: &Records,
    scope: &Scope,
    p: Period,
    f2021: bool,
    notes: &mut Vec<Note>,
    out: &mut Table2,
) {
    // Block A: 规章 and 行政规范性文件.
    for (row, kind) in [(T2Row::Reg, CatalogueKind::Rule), (T2Row::Norm, CatalogueKind::Normative)] {
        let (mut issued, mut repealed, mut valid, mut published_by_end) = (0u64, 0u64, 0u64, 0u64);
        for e in records.catalogue.iter().filter(|e| e.kind == kind && scope.contains(e.organ)) {
            issued += u64::from(p.contains(e.issued));
            repealed += u64::from(e.repealed.is_some_and(|d| p.contains(d)));
            valid += u64::from(e.validity_at(p.end) == Validity::Valid);
            published_by_end += u64::from(e.issued <= p.end);
        }
        if f2021 {
            // E6 holds between compiled years: an entry valid at the end of Y was valid at the end
            // of Y−1 or issued in Y, and stops being valid only by a repeal.
            put(out, row, T2Col::Issued, Cell::number(issued));
            put(out, row, T2Col::Repealed, Cell::number(repealed));
            put(out, row, T2Col::Valid, Cell::number(valid));
        } else {
            put(out, row, T2Col::Made, Cell::number(issued));
            put(out, row, T2Col::Published, Cell::blank());
            put(out, row, T2Col::Total, Cell::number(published_by_end));
        }
    }
    let mut blank_by_format: Vec<String> = Vec::new();
    if !f2021 {
        for row in [T2Row::Reg, T2Row::Norm] {
            blank_by_format.push(cell_name(row, T2Col::Published));
        }
    }

    // Blocks B–D: yearly counts; None = not recorded = blank (never 0).
    // One record per organ and year: a second one is not added in (it would double the counts).
    let mut recs: Vec<&YearlyCounts> = Vec::new();
    let mut duplicates: Vec<OrganId> = Vec::new();
    for c in records.counts.iter().filter(|c| c.year == p.year && scope.contains(c.organ)) {
        if recs.iter().any(|r| r.organ == c.organ) {
            duplicates.push(c.organ);
        } else {
            recs.push(c);
        }
    }
    type Get = fn(&YearlyCounts) -> Option<Decimal>;
    let fields: [(T2Row, T2Col, Get, &str); 4] = [
        (
            T2Row::License,
            if f2021 { T2Col::Decisions } else { T2Col::Decisions2019 },
            |c| c.licences.map(Decimal::from),
            "行政许可处理决定数量",
        ),
        (
            T2Row::Penalty,
            if f2021 { T2Col::Decisions } else { T2Col::Decisions2019 },
            |c| c.penalties.map(Decimal::from),
            "行政处罚处理决定数量",
        ),
        (
            T2Row::Coercion,
            if f2021 { T2Col::Decisions } else { T2Col::Decisions2019 },
            |c| c.coercions.map(Decimal::from),
            "行政强制处理决定数量",
        ),
        (T2Row::Fee, T2Col::Amount, |c| c.fee_wan, "行政事业性收费金额"),
    ];
    let name_of = |id: OrganId| {
        records.organs.iter().find(|o| o.id == id).map_or_else(|| format!("机关{}", id.0), |o| o.name.clone())
    };
    if !duplicates.is_empty() {
        let names: Vec<String> = duplicates.iter().map(|id| name_of(*id)).collect();
        notes.push(Note::new(
            NoteKind::Skipped,
            format!("{}登记了多条{}年的年度数量，只采用第一条", list(&names, 20), p.year),
        ));
    }
    for (row, col, get, what) in fields {
        if row == T2Row::Fee && !f2021 {
            // The 2019 block D holds item counts (上一年项目数量, 本年增/减), not the amount.
            continue;
        }
        let values: Vec<Decimal> = recs.iter().filter_map(|c| get(c)).collect();
        let unrecorded: Vec<String> = scope
            .ids()
            .iter()
            .filter(|id| !recs.iter().any(|c| c.organ == **id && get(c).is_some()))
            .map(|id| name_of(*id))
            .collect();
        let name = cell_name(row, col);
        if values.is_empty() {
            put(out, row, col, Cell::blank());
            notes.push(
                Note::new(NoteKind::Blank, format!("{}年{what}未登记，表二该栏留空（空白不等于0）", p.year))
                    .cells([name]),
            );
        } else {
            // Checked: Decimal addition panics on overflow (amounts are bounded at input).
            let Some(sum) = values.iter().try_fold(Decimal::ZERO, |a, b| a.checked_add(*b)) else {
                put(
                    out,
                    row,
                    col,
                    Cell { value: CellValue::Unreadable, raw: "无法汇总".into(), src: None, inferred: false },
                );
                notes.push(
                    Note::new(
                        NoteKind::Unreadable,
                        format!("{}年{what}之和超出可计算的范围，登记的数值有误，请核实", p.year),
                    )
                    .cells([name]),
                );
                continue;
            };
            put(out, row, col, Cell::number(sum.normalize()));
            if !unrecorded.is_empty() {
                notes.push(
                    Note::new(
                        NoteKind::Partial,
                        format!("{what}为已登记机关之和；{}未登记{}年的数值，未计入", list(&unrecorded, 20), p.year),
                    )
                    .cells([name]),
                );
            }
        }
    }
    if !f2021 {
        // The 2019 format asks for item counts and procurement data the register does not keep.
        for row in [T2Row::License, T2Row::OtherService, T2Row::Penalty, T2Row::Coercion, T2Row::Fee] {
            for col in [T2Col::Prev, T2Col::Change] {
                put(out, row, col, Cell::blank());
                blank_by_format.push(cell_name(row, col));
            }
        }
        put(out, T2Row::OtherService, T2Col::Decisions2019, Cell::blank());
        blank_by_format.push(cell_name(T2Row::OtherService, T2Col::Decisions2019));
        for col in [T2Col::PurchaseCount, T2Col::PurchaseAmount] {
            put(out, T2Row::Procurement, col, Cell::blank());
            blank_by_format.push(cell_name(T2Row::Procurement, col));
        }
        notes.push(
            Note::new(
                NoteKind::Blank,
                "2019年版格式表二中的“本年新公开数量”“上一年项目数量”“本年增/减”“其他对外管理服务事项”和“政府集中采购”台账中没有记录，相应栏目留空，请据实填写",
            )
            .cells(blank_by_format),
        );
    }
}

/// Table 四 (SPEC §1.6): per group, cases concluded in Y by result, cases filed by the end of Y
/// and not concluded by then in 尚未审结, 总计 = the sum (E4). Cases concluded before Y are not
/// counted.
pub(crate) fn table4(cases: &[gongkai_register::Case], scope: &Scope, p: Period) -> Table4 {
    let mut counts = [[0u64; 4]; 3];
    for c in cases.iter().filter(|c| scope.contains(c.organ)) {
        let g = CaseKind::ALL.iter().position(|k| *k == c.kind).unwrap_or(0);
        let o = match c.concluded {
            Some((d, r)) if p.contains(d) => r.outcome(),
            Some((d, _)) if d <= p.prev_end => continue,
            _ if c.filed <= p.end => T4Outcome::Pend,
            _ => continue,
        };
        let oi = T4Outcome::ALL.iter().position(|x| *x == o).unwrap_or(3);
        counts[g][oi] += 1;
    }
    let mut t = Table4::new();
    for (k, vals) in CaseKind::ALL.iter().zip(counts) {
        let mut m: Row<T4Outcome> = T4Outcome::ALL[..4].iter().zip(vals).map(|(o, v)| (*o, Cell::number(v))).collect();
        m.insert(T4Outcome::Tot, Cell::number(vals.iter().sum::<u64>()));
        t.insert(k.group(), m);
    }
    t
}
