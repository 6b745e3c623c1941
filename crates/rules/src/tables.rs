//! Table rules: identities E1–E4, E7 (SPEC §1.7), template D1, blanks D8, all-zero D16.

use rust_decimal::Decimal;

use gongkai_model::{
    Cell, CellValue, Col, Finding, FormatBasis, FormatVersion, Report, Severity, Src, T2Col, T3Row, T4Group, T4Outcome,
};

fn num(c: Option<&Cell>) -> Option<Decimal> {
    c.and_then(Cell::as_number)
}

/// The numbers of `N` cells, or None when any of them is not a number (fixed size: these run
/// once per row and column of every report, and a `Vec` per row was a measurable cost).
fn numbers<const N: usize>(cells: [Option<&Cell>; N]) -> Option<[Decimal; N]> {
    let mut out = [Decimal::ZERO; N];
    for (o, c) in out.iter_mut().zip(cells) {
        *o = num(c)?;
    }
    Some(out)
}

/// The exact sum of `parts`. Table counts are whole numbers: those are added as integers
/// (the general decimal addition cost more than the rest of an identity check); anything with
/// a fraction, or too large for an i64, is added as decimals.
fn total_of(parts: &[Decimal]) -> Decimal {
    let mut acc: i64 = 0;
    for d in parts {
        let whole = if d.scale() == 0 { i64::try_from(d.mantissa()).ok() } else { None };
        match whole.and_then(|w| acc.checked_add(w)) {
            Some(a) => acc = a,
            None => return parts.iter().sum(),
        }
    }
    Decimal::from(acc)
}

fn fmt_sum(parts: &[Decimal]) -> String {
    parts.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("+")
}

fn t3_name(r: T3Row, c: Col) -> String {
    format!("table3.{}.{}", r.id(), c.id())
}

pub fn check_tables(r: &Report, out: &mut Vec<Finding>) {
    e1(r, out);
    e2(r, out);
    e3(r, out);
    e4(r, out);
    e7(r, out);
    d1(r, out);
    d8(r, out);
    d16(r, out);
}

/// E1: R1 + R2 = R3.7 + R4 for every column (stated in the table's header note).
fn e1(r: &Report, out: &mut Vec<Finding>) {
    for c in Col::ALL {
        let cells = [T3Row::R1, T3Row::R2, T3Row::R3_7, T3Row::R4].map(|row| r.t3(row, *c));
        let Some([a, b, t, d]) = numbers(cells) else {
            continue;
        };
        if a + b != t + d {
            out.push(
                Finding::new(
                    "E1",
                    Severity::Error,
                    format!(
                        "表三“{}”列：一、本年新收（{a}）+ 二、上年结转（{b}）= {}，不等于（七）总计（{t}）+ 四、结转下年度（{d}）= {}",
                        c.label(),
                        a + b,
                        t + d
                    ),
                )
                .at(cells[2].and_then(|x| x.src))
                .cells([T3Row::R1, T3Row::R2, T3Row::R3_7, T3Row::R4].map(|row| t3_name(row, *c))),
            );
        }
    }
}

/// E2: （七）总计 = sum of the result rows, per column.
fn e2(r: &Report, out: &mut Vec<Finding>) {
    let sub = r.has_r36_subrows();
    let rows: Vec<T3Row> = T3Row::result_rows(sub).collect();
    // Each row's cells are looked up once, not once per column.
    let row_cells: Vec<_> = rows.iter().map(|row| r.table3.get(row)).collect();
    for c in Col::ALL {
        let Some(total) = num(r.t3(T3Row::R3_7, *c)) else {
            continue;
        };
        let Some(parts) = row_cells.iter().map(|m| num(m.and_then(|m| m.get(c)))).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let sum = total_of(&parts);
        if sum != total {
            let nonzero: Vec<String> = rows
                .iter()
                .zip(&parts)
                .filter(|(_, v)| !v.is_zero())
                .map(|(row, v)| format!("{}={v}", row.id()))
                .collect();
            out.push(
                Finding::new(
                    "E2",
                    Severity::Error,
                    format!(
                        "表三“{}”列：各项办理结果之和为{sum}（{}），不等于（七）总计{total}",
                        c.label(),
                        if nonzero.is_empty() { "全部为0".to_string() } else { nonzero.join("，") }
                    ),
                )
                .at(r.t3(T3Row::R3_7, *c).and_then(|x| x.src))
                .cells(std::iter::once(t3_name(T3Row::R3_7, *c)).chain(rows.iter().map(|row| t3_name(*row, *c)))),
            );
        }
    }
}

/// E3: 总计 column = sum of the six applicant columns, per row.
fn e3(r: &Report, out: &mut Vec<Finding>) {
    for (row, cells) in &r.table3 {
        let Some(total) = num(cells.get(&Col::Tot)) else {
            continue;
        };
        let [np, biz, res, ngo, law, oth] = [Col::Np, Col::Biz, Col::Res, Col::Ngo, Col::Law, Col::Oth];
        let Some(parts) = numbers([np, biz, res, ngo, law, oth].map(|c| cells.get(&c))) else { continue };
        let sum = total_of(&parts);
        if sum != total {
            out.push(
                Finding::new(
                    "E3",
                    Severity::Error,
                    format!(
                        "表三“{}”行：各类申请人之和 {} = {sum}，不等于总计{total}",
                        row.display_name(),
                        fmt_sum(&parts)
                    ),
                )
                .at(cells.get(&Col::Tot).and_then(|x| x.src))
                .cells(Col::ALL.iter().map(|c| t3_name(*row, *c))),
            );
        }
    }
}

/// E4: each table-四 group's 总计 = 维持 + 纠正 + 其他 + 尚未审结.
fn e4(r: &Report, out: &mut Vec<Finding>) {
    for g in T4Group::ALL {
        let Some(total) = num(r.t4(*g, T4Outcome::Tot)) else {
            continue;
        };
        let outcomes = [T4Outcome::Maint, T4Outcome::Corr, T4Outcome::Other, T4Outcome::Pend];
        let Some(parts) = numbers(outcomes.map(|o| r.t4(*g, o))) else { continue };
        let sum = total_of(&parts);
        if sum != total {
            out.push(
                Finding::new(
                    "E4",
                    Severity::Error,
                    format!(
                        "表四“{}”：结果维持+结果纠正+其他结果+尚未审结 = {} = {sum}，不等于总计{total}",
                        g.label(),
                        fmt_sum(&parts)
                    ),
                )
                .at(r.t4(*g, T4Outcome::Tot).and_then(|x| x.src))
                .cells(T4Outcome::ALL.iter().map(|o| format!("table4.{}.{}", g.id(), o.id()))),
            );
        }
    }
}

/// E7: counts are integers ≥ 0; amounts are ≥ 0; 本年增/减 may be negative.
fn e7(r: &Report, out: &mut Vec<Finding>) {
    // Names and messages are built only for a cell that breaks the rule (hot path).
    let mut bad = |cell: &Cell, name: &dyn Fn() -> (String, String), money: bool, signed: bool, wan_only: bool| {
        let Some(d) = cell.as_number() else { return };
        let problem = if d.is_sign_negative() && !d.is_zero() && !signed {
            Some("为负数")
        } else if !money && d.scale() > 0 && !d.fract().is_zero() {
            Some("不是整数")
        } else {
            None
        };
        if let Some(p) = problem {
            let (id, what) = name();
            out.push(
                Finding::new("E7", Severity::Error, format!("{what}的值“{}”{p}：件数应为非负整数", cell.raw))
                    .at(cell.src)
                    .cells([id]),
            );
        }
        // A unit printed in the cell must be the column's (issue 13 part 4): counts are 件/个/
        // 项/条/次, the 2021 fee column is 万元, the 2019 procurement amount 元 or 万元.
        if let Some(u) = cell.unit() {
            let (fits, want) = match money {
                true if wan_only => (u == "万元", "万元"),
                true => (u == "万元" || u == "元", "元或万元"),
                false => (!matches!(u, "万元" | "元"), "件、个、项、条或次"),
            };
            if !fits {
                let (id, what) = name();
                out.push(
                    Finding::new(
                        "E7",
                        Severity::Error,
                        format!(
                            "{what}的值“{}”带单位“{u}”，与该列的单位（{want}）不符，数值可能差了单位换算",
                            cell.raw
                        ),
                    )
                    .at(cell.src)
                    .cells([id]),
                );
            }
        }
    };
    for (row, cells) in &r.table3 {
        for (c, cell) in cells {
            bad(
                cell,
                &|| (t3_name(*row, *c), format!("表三“{}”行“{}”列", row.display_name(), c.label())),
                false,
                false,
                false,
            );
        }
    }
    for (g, cells) in &r.table4 {
        for (o, cell) in cells {
            bad(
                cell,
                &|| (format!("table4.{}.{}", g.id(), o.id()), format!("表四“{}”“{}”", g.label(), o.label())),
                false,
                false,
                false,
            );
        }
    }
    for (row, cells) in &r.table2 {
        for (c, cell) in cells {
            bad(
                cell,
                &|| (format!("table2.{}.{}", row.id(), c.id()), format!("表二“{}”行“{}”列", row.label(), c.label())),
                c.is_money(),
                c.signed(),
                *c == T2Col::Amount,
            );
        }
    }
}

fn first_marker(r: &Report, f: FormatVersion) -> Option<(&str, Src)> {
    r.format_markers.iter().find(|m| m.format == f).map(|m| (m.marker.as_str(), m.src))
}

fn markers_of(r: &Report, f: FormatVersion) -> String {
    r.format_markers.iter().filter(|m| m.format == f).map(|m| format!("“{}”", m.marker)).collect::<Vec<_>>().join("、")
}

/// D1: template vs report year, and mixed templates (SPEC §2.5).
fn d1(r: &Report, out: &mut Vec<Finding>) {
    // Mixed labels, or 2021 labels beside a table 三 whose （六） row has no sub-rows (the
    // 2019 row set; the format stays 2021, see the parser's `labels::SINGLE_R36_MARKER`).
    if r.format == FormatVersion::Mixed
        || (r.format == FormatVersion::F2021 && first_marker(r, FormatVersion::F2019).is_some())
    {
        let at = first_marker(r, FormatVersion::F2019).or(first_marker(r, FormatVersion::F2021)).map(|m| m.1);
        out.push(
            Finding::new(
                "D1",
                Severity::Error,
                format!(
                    "表格混用了两种格式：{}属于2021年版格式，{}属于2019年版格式",
                    markers_of(r, FormatVersion::F2021),
                    markers_of(r, FormatVersion::F2019)
                ),
            )
            .at(at),
        );
    }
    // The cited format document against the tables' own labels.
    if let Some(cited) = &r.format_cited
        && r.format_basis == Some(FormatBasis::Tables)
        && matches!(r.format, FormatVersion::F2019 | FormatVersion::F2021)
        && cited.value != r.format
    {
        out.push(
            Finding::new(
                "D1",
                Severity::Error,
                format!(
                    "报告称依据{}编制，但表格使用的是{}的栏目（{}）",
                    cited.value.name_zh(),
                    r.format.name_zh(),
                    markers_of(r, r.format)
                ),
            )
            .at(Some(cited.src))
            .also(first_marker(r, r.format).map(|m| m.1)),
        );
    }
    let Some(year) = &r.year else { return };
    let expected = FormatVersion::expected_for_year(year.value);
    let wrong = match expected {
        FormatVersion::F2021 => Some(FormatVersion::F2019),
        FormatVersion::F2019 if year.value == 2020 => Some(FormatVersion::F2021),
        FormatVersion::F2019 => Some(FormatVersion::F2021),
        FormatVersion::Pre2019 => None,
        _ => None,
    };
    if let Some(w) = wrong
        && let Some((_, src)) = first_marker(r, w)
    {
        out.push(
            Finding::new(
                "D1",
                Severity::Error,
                format!(
                    "{}年度报告应使用{}，但表格使用了{}的栏目（{}）",
                    year.value,
                    expected.name_zh(),
                    w.name_zh(),
                    markers_of(r, w)
                ),
            )
            .at(Some(src)),
        );
    }
}

/// D8: blank, placeholder or unreadable cells instead of numbers. One finding per table.
fn d8(r: &Report, out: &mut Vec<Finding>) {
    // Only non-number cells are named (hot path: a clean report allocates nothing here).
    // Ambiguous cells are not: the parser's P3 finding names them with their candidates.
    let not_num = |c: &&Cell| c.as_number().is_none() && !matches!(c.value, CellValue::Ambiguous(_));
    let tables: [(&str, Vec<(String, &Cell)>); 3] = [
        (
            "表二",
            r.table2
                .iter()
                .flat_map(|(row, cs)| {
                    cs.iter()
                        .filter(|(_, c)| not_num(c))
                        .map(move |(c, cell)| (format!("table2.{}.{}", row.id(), c.id()), cell))
                })
                .collect(),
        ),
        (
            "表三",
            r.table3
                .iter()
                .flat_map(|(row, cs)| {
                    cs.iter().filter(|(_, c)| not_num(c)).map(move |(c, cell)| (t3_name(*row, *c), cell))
                })
                .collect(),
        ),
        (
            "表四",
            r.table4
                .iter()
                .flat_map(|(g, cs)| {
                    cs.iter()
                        .filter(|(_, c)| not_num(c))
                        .map(move |(o, cell)| (format!("table4.{}.{}", g.id(), o.id()), cell))
                })
                .collect(),
        ),
    ];
    for (name, bad) in tables {
        let bad: Vec<&(String, &Cell)> = bad.iter().collect();
        if bad.is_empty() {
            continue;
        }
        let blank = bad.iter().filter(|(_, c)| c.value == CellValue::Blank).count();
        let placeholder = bad.iter().filter(|(_, c)| c.value == CellValue::Placeholder).count();
        let unreadable: Vec<&str> =
            bad.iter().filter(|(_, c)| c.value == CellValue::Unreadable).map(|(_, c)| c.raw.as_str()).collect();
        let mut parts = Vec::new();
        if blank > 0 {
            parts.push(format!("{blank}个空白"));
        }
        if placeholder > 0 {
            parts.push(format!("{placeholder}个占位符（如“-”“/”“无”）"));
        }
        if !unreadable.is_empty() {
            parts.push(format!("{}个无法识别的值（{}）", unreadable.len(), unreadable.join("、")));
        }
        let rows: Vec<&str> = {
            // "table3.R3.3.1.NP" → "R3.3.1": drop the table prefix and the column suffix.
            let mut v: Vec<&str> = bad
                .iter()
                .filter_map(|(n, _)| n.split_once('.').and_then(|(_, rest)| rest.rsplit_once('.')).map(|(row, _)| row))
                .collect();
            v.dedup();
            v
        };
        out.push(
            Finding::new(
                "D8",
                Severity::Warning,
                format!(
                    "{name}有{}个单元格不是数字：{}；涉及{}。空白不等于0，无数据应填写0",
                    bad.len(),
                    parts.join("，"),
                    rows.join("、")
                ),
            )
            .at(bad[0].1.src)
            .cells(bad.iter().map(|(n, _)| n.clone())),
        );
    }
}

/// D16: every numeric cell of tables 二–四 is 0 while the text describes activity.
fn d16(r: &Report, out: &mut Vec<Finding>) {
    if r.truncated.is_some() {
        return;
    }
    // Counted without collecting: a report with data stops at its first non-zero cell.
    let nums = r
        .table2
        .values()
        .flat_map(|m| m.values())
        .chain(r.table3.values().flat_map(|m| m.values()))
        .chain(r.table4.values().flat_map(|m| m.values()))
        .filter_map(Cell::as_number);
    let mut count = 0usize;
    for d in nums {
        if !d.is_zero() {
            return;
        }
        count += 1;
    }
    if count < 10 {
        return;
    }
    let activity = r.sections.iter().filter(|s| s.id.0 == 1).flat_map(|s| &s.paras).find_map(|p| {
        ["主动公开", "依申请公开", "发布", "推送", "办理", "答复"]
            .iter()
            .find(|k| p.text.contains(**k))
            .map(|k| (k.to_string(), p.src))
    });
    if let Some((k, src)) = activity {
        out.push(
            Finding::new(
                "D16",
                Severity::Warning,
                format!(
                    "表二至表四的{count}个数值全部为0，而“总体情况”描述了“{k}”等工作，请核实数据是否为占位或导出错误"
                ),
            )
            .at(Some(src)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_mantissa() -> impl proptest::strategy::Strategy<Value = i64> {
        proptest::prop_oneof![0i64..1000, -5i64..5, (i64::MAX - 10)..=i64::MAX]
    }

    proptest::proptest! {
        /// The integer fast path adds exactly as `Decimal` addition does (E1–E4 sums).
        #[test]
        fn total_of_is_the_decimal_sum(parts in proptest::collection::vec((any_mantissa(), 0u32..3), 0..9)) {
            let ds: Vec<Decimal> = parts.iter().map(|(m, s)| Decimal::new(*m, *s)).collect();
            proptest::prop_assert_eq!(total_of(&ds), ds.iter().sum::<Decimal>());
        }
    }
}
