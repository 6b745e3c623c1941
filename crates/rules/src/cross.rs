//! Cross-year checks on the same organ's consecutive reports (SPEC §1.7 E5, E6; §6 D6).
//! Both identities may legitimately break (institutional reform, inherited documents), so
//! they are warnings.

use rust_decimal::Decimal;

use gongkai_model::{Cell, Col, Finding, Report, Severity, T2Col, T2Row, T3Row};

fn num(c: Option<&Cell>) -> Option<Decimal> {
    c.and_then(Cell::as_number)
}

/// Whether two organ names denote the same organ ("洪泽区人民政府" / "淮安市洪泽区人民政府").
pub fn same_organ(a: &str, b: &str) -> bool {
    let (a, b) = (gongkai_model::normalize::normalize(a), gongkai_model::normalize::normalize(b));
    !a.is_empty() && !b.is_empty() && (a.ends_with(&b) || b.ends_with(&a))
}

/// Checks of report `cur` (year Y) against `prev` (year Y−1) of the same organ.
pub fn check_consecutive(prev: &Report, cur: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    let (Some(py), Some(cy)) = (&prev.year, &cur.year) else { return out };
    if cy.value != py.value + 1 {
        return out;
    }
    // E5: carried over into Y = carried forward out of Y−1, per column.
    for c in Col::ALL {
        let (Some(r2), Some(r4)) = (num(cur.t3(T3Row::R2, *c)), num(prev.t3(T3Row::R4, *c))) else { continue };
        if r2 != r4 {
            out.push(
                Finding::new(
                    "E5",
                    Severity::Warning,
                    format!(
                        "“{}”列：{}年“上年结转”为{r2}，但{}年报告“结转下年度继续办理”为{r4}（D6 结转不连续）",
                        c.label(),
                        cy.value,
                        py.value
                    ),
                )
                .at(cur.t3(T3Row::R2, *c).and_then(|x| x.src))
                .cells([format!("table3.R2.{}", c.id())]),
            );
        }
    }
    // E6: stock of 规章 / 行政规范性文件 (2021 columns).
    for row in [T2Row::Reg, T2Row::Norm] {
        let g = |r: &Report, col| num(r.table2.get(&row).and_then(|m| m.get(&col)));
        let (Some(v0), Some(issued), Some(repealed), Some(v1)) =
            (g(prev, T2Col::Valid), g(cur, T2Col::Issued), g(cur, T2Col::Repealed), g(cur, T2Col::Valid))
        else {
            continue;
        };
        if v0 + issued - repealed != v1 {
            out.push(
                Finding::new(
                    "E6",
                    Severity::Warning,
                    format!(
                        "“{}”现行有效件数：{}年{v0} + 本年制发{issued} − 本年废止{repealed} = {}，但{}年报告为{v1}（D7 存量不连续）",
                        row.label(),
                        py.value,
                        v0 + issued - repealed,
                        cy.value
                    ),
                )
                .at(cur.table2.get(&row).and_then(|m| m.get(&T2Col::Valid)).and_then(|x| x.src))
                .cells([format!("table2.{}.VALID", row.id())]),
            );
        }
    }
    // D6-like copy: tables 三 and 四 identical to the previous year's, with some activity.
    let values = |r: &Report| -> Vec<Option<Decimal>> {
        r.table3
            .values()
            .flat_map(|m| m.values().map(Cell::as_number))
            .chain(r.table4.values().flat_map(|m| m.values().map(Cell::as_number)))
            .collect()
    };
    let (a, b) = (values(prev), values(cur));
    if !a.is_empty() && a == b && a.iter().flatten().any(|d| !d.is_zero()) {
        out.push(
            Finding::new(
                "D15",
                Severity::Warning,
                format!("表三、表四的全部数值与{}年报告完全相同，可能照抄上年数据", py.value),
            )
            .at(cur.tables.table3),
        );
    }
    out
}
