//! Cross-year checks on the same organ's consecutive reports (SPEC §1.7 E5, E6; §6 D6).
//! Both identities may legitimately break (institutional reform, inherited documents), so
//! they are warnings.

use rust_decimal::Decimal;

use gongkai_model::{Cell, Col, Finding, Report, Severity, Src, T2Col, T2Row, T3Row};

fn num(c: Option<&Cell>) -> Option<Decimal> {
    c.and_then(Cell::as_number)
}

/// Whether two organ names denote the same organ ("洪泽区人民政府" / "淮安市洪泽区人民政府").
pub fn same_organ(a: &str, b: &str) -> bool {
    let (a, b) = (gongkai_model::normalize::normalize(a), gongkai_model::normalize::normalize(b));
    !a.is_empty() && !b.is_empty() && (a.ends_with(&b) || b.ends_with(&a))
}

/// What the cross-year checks need of one report, compactly (about 1 KB instead of the whole
/// tables), so that a batch audit can keep one per file: organ and year, table 三 rows R2 and R4
/// with R2's provenance, the table 二 stock cells, and every table 三/四 value in order.
#[derive(Debug, Clone, PartialEq)]
pub struct YearSummary {
    pub organ: Option<String>,
    pub year: Option<i32>,
    /// Location of table 三, for findings about the table as a whole.
    pub table3: Option<Src>,
    r2: Vec<(Option<Decimal>, Option<Src>)>,
    r4: Vec<Option<Decimal>>,
    /// Per 规章 / 行政规范性文件: issued, repealed, valid, and valid's location.
    stock: Vec<[Option<Decimal>; 3]>,
    stock_src: Vec<Option<Src>>,
    values: Vec<Option<Decimal>>,
}

const STOCK_ROWS: [T2Row; 2] = [T2Row::Reg, T2Row::Norm];

impl YearSummary {
    /// The summary of a report.
    pub fn of(r: &Report) -> YearSummary {
        let t2 = |row: T2Row, col: T2Col| r.table2.get(&row).and_then(|m| m.get(&col));
        YearSummary {
            organ: r.organ.as_ref().map(|o| o.value.clone()),
            year: r.year.as_ref().map(|y| y.value),
            table3: r.tables.table3,
            r2: Col::ALL.iter().map(|c| r.t3(T3Row::R2, *c).map_or((None, None), |x| (x.as_number(), x.src))).collect(),
            r4: Col::ALL.iter().map(|c| num(r.t3(T3Row::R4, *c))).collect(),
            stock: STOCK_ROWS
                .iter()
                .map(|row| [num(t2(*row, T2Col::Issued)), num(t2(*row, T2Col::Repealed)), num(t2(*row, T2Col::Valid))])
                .collect(),
            stock_src: STOCK_ROWS.iter().map(|row| t2(*row, T2Col::Valid).and_then(|x| x.src)).collect(),
            values: r
                .table3
                .values()
                .flat_map(|m| m.values().map(Cell::as_number))
                .chain(r.table4.values().flat_map(|m| m.values().map(Cell::as_number)))
                .collect(),
        }
    }
}

/// Checks of report `cur` (year Y) against `prev` (year Y−1) of the same organ.
pub fn check_consecutive(prev: &Report, cur: &Report) -> Vec<Finding> {
    check_summaries(&YearSummary::of(prev), &YearSummary::of(cur))
}

/// [`check_consecutive`] on summaries.
pub fn check_summaries(prev: &YearSummary, cur: &YearSummary) -> Vec<Finding> {
    let mut out = Vec::new();
    let (Some(py), Some(cy)) = (prev.year, cur.year) else { return out };
    if cy != py + 1 {
        return out;
    }
    // E5: carried over into Y = carried forward out of Y−1, per column.
    for (k, c) in Col::ALL.iter().enumerate() {
        let ((Some(r2), src), Some(r4)) = (cur.r2[k], prev.r4[k]) else { continue };
        if r2 != r4 {
            out.push(
                Finding::new(
                    "E5",
                    Severity::Warning,
                    format!(
                        "“{}”列：{cy}年“上年结转”为{r2}，但{py}年报告“结转下年度继续办理”为{r4}（D6 结转不连续）",
                        c.label()
                    ),
                )
                .at(src)
                .cells([format!("table3.R2.{}", c.id())]),
            );
        }
    }
    // E6: stock of 规章 / 行政规范性文件 (2021 columns).
    for (k, row) in STOCK_ROWS.iter().enumerate() {
        let ([_, _, Some(v0)], [Some(issued), Some(repealed), Some(v1)]) = (prev.stock[k], cur.stock[k]) else {
            continue;
        };
        if v0 + issued - repealed != v1 {
            out.push(
                Finding::new(
                    "E6",
                    Severity::Warning,
                    format!(
                        "“{}”现行有效件数：{py}年{v0} + 本年制发{issued} − 本年废止{repealed} = {}，但{cy}年报告为{v1}（D7 存量不连续）",
                        row.label(),
                        v0 + issued - repealed,
                    ),
                )
                .at(cur.stock_src[k])
                .cells([format!("table2.{}.VALID", row.id())]),
            );
        }
    }
    // D6-like copy: tables 三 and 四 identical to the previous year's, with some activity.
    let (a, b) = (&prev.values, &cur.values);
    if !a.is_empty() && a == b && a.iter().flatten().any(|d| !d.is_zero()) {
        out.push(
            Finding::new(
                "D15",
                Severity::Warning,
                format!("表三、表四的全部数值与{py}年报告完全相同，可能照抄上年数据"),
            )
            .at(cur.table3),
        );
    }
    out
}
