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
    pub(crate) values: Vec<Option<Decimal>>,
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

/// A compact byte encoding of a [`YearSummary`], so a batch of any size can keep the summaries
/// out of memory (a spill file) and read back only those that a pair needs.
mod codec {
    use super::*;

    pub(super) struct W<'a>(pub &'a mut Vec<u8>);
    impl W<'_> {
        fn u32(&mut self, v: u32) {
            self.0.extend_from_slice(&v.to_le_bytes());
        }
        pub fn dec(&mut self, d: Option<Decimal>) {
            match d {
                None => self.0.push(0),
                Some(d) => {
                    self.0.push(1);
                    self.0.extend_from_slice(&d.serialize());
                }
            }
        }
        pub fn src(&mut self, s: Option<Src>) {
            let Some(s) = s else { return self.0.push(0) };
            self.0.push(if s.grid.is_some() { 2 } else { 1 });
            for v in [s.start, s.end, s.line, s.col] {
                self.u32(v);
            }
            if let Some(g) = s.grid {
                for v in [g.table, g.row, g.col] {
                    self.0.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        pub fn len(&mut self, n: usize) {
            self.u32(u32::try_from(n).unwrap_or(u32::MAX));
        }
        pub fn str(&mut self, s: Option<&str>) {
            match s {
                None => self.0.push(0),
                Some(s) => {
                    self.0.push(1);
                    self.len(s.len());
                    self.0.extend_from_slice(s.as_bytes());
                }
            }
        }
        pub fn year(&mut self, y: Option<i32>) {
            match y {
                None => self.0.push(0),
                Some(y) => {
                    self.0.push(1);
                    self.0.extend_from_slice(&y.to_le_bytes());
                }
            }
        }
    }

    pub(super) struct R<'a>(pub &'a [u8]);
    impl<'a> R<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let (a, b) = (self.0.get(..n)?, self.0.get(n..)?);
            self.0 = b;
            Some(a)
        }
        fn byte(&mut self) -> Option<u8> {
            Some(self.take(1)?[0])
        }
        fn u32(&mut self) -> Option<u32> {
            Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
        }
        fn u16(&mut self) -> Option<u16> {
            Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
        }
        pub fn dec(&mut self) -> Option<Option<Decimal>> {
            Some(match self.byte()? {
                0 => None,
                _ => Some(Decimal::deserialize(self.take(16)?.try_into().ok()?)),
            })
        }
        pub fn src(&mut self) -> Option<Option<Src>> {
            let tag = self.byte()?;
            if tag == 0 {
                return Some(None);
            }
            let (start, end, line, col) = (self.u32()?, self.u32()?, self.u32()?, self.u32()?);
            let grid = if tag == 2 {
                Some(gongkai_model::GridPos { table: self.u16()?, row: self.u16()?, col: self.u16()? })
            } else {
                None
            };
            Some(Some(Src { start, end, line, col, grid }))
        }
        pub fn len(&mut self) -> Option<usize> {
            usize::try_from(self.u32()?).ok()
        }
        pub fn str(&mut self) -> Option<Option<String>> {
            Some(match self.byte()? {
                0 => None,
                _ => {
                    let n = self.len()?;
                    Some(String::from_utf8(self.take(n)?.to_vec()).ok()?)
                }
            })
        }
        pub fn year(&mut self) -> Option<Option<i32>> {
            Some(match self.byte()? {
                0 => None,
                _ => Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?)),
            })
        }
        pub fn rest(self) -> &'a [u8] {
            self.0
        }
    }
}

impl YearSummary {
    /// Append the summary's compact encoding to `out` (a few hundred bytes).
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut w = codec::W(out);
        w.str(self.organ.as_deref());
        w.year(self.year);
        w.src(self.table3);
        w.len(self.r2.len());
        for (d, s) in &self.r2 {
            w.dec(*d);
            w.src(*s);
        }
        w.len(self.r4.len());
        for d in &self.r4 {
            w.dec(*d);
        }
        w.len(self.stock.len());
        for row in &self.stock {
            for d in row {
                w.dec(*d);
            }
        }
        w.len(self.stock_src.len());
        for s in &self.stock_src {
            w.src(*s);
        }
        w.len(self.values.len());
        for d in &self.values {
            w.dec(*d);
        }
    }

    /// Read a summary written by [`YearSummary::encode`]; with the bytes after it. None when
    /// the bytes are not such an encoding.
    pub fn decode(b: &[u8]) -> Option<(YearSummary, &[u8])> {
        let mut r = codec::R(b);
        let organ = r.str()?;
        let year = r.year()?;
        let table3 = r.src()?;
        let n = r.len()?;
        let r2 = (0..n).map(|_| Some((r.dec()?, r.src()?))).collect::<Option<Vec<_>>>()?;
        let n = r.len()?;
        let r4 = (0..n).map(|_| r.dec()).collect::<Option<Vec<_>>>()?;
        let n = r.len()?;
        let stock = (0..n).map(|_| Some([r.dec()?, r.dec()?, r.dec()?])).collect::<Option<Vec<_>>>()?;
        let n = r.len()?;
        let stock_src = (0..n).map(|_| r.src()).collect::<Option<Vec<_>>>()?;
        let n = r.len()?;
        let values = (0..n).map(|_| r.dec()).collect::<Option<Vec<_>>>()?;
        let rest = r.rest();
        Some((YearSummary { organ, year, table3, r2, r4, stock, stock_src, values }, rest))
    }
}

#[cfg(test)]
mod codec_tests {
    use super::*;

    #[test]
    fn a_summary_survives_its_encoding() {
        for seed in 0..20u64 {
            let format =
                if seed % 3 == 0 { gongkai_model::FormatVersion::F2019 } else { gongkai_model::FormatVersion::F2021 };
            let mut r = gongkai_synth::report(seed, &gongkai_synth::SynthOptions { format, target_bytes: 1_000 });
            if seed % 4 == 0 {
                r.organ = None;
                r.year = None;
            }
            let s = YearSummary::of(&r);
            let mut b = Vec::new();
            s.encode(&mut b);
            b.extend_from_slice(b"tail");
            let (back, rest) = YearSummary::decode(&b).unwrap();
            assert_eq!(back, s);
            assert_eq!(rest, b"tail");
            assert!(YearSummary::decode(&b[..b.len() / 2]).is_none());
        }
    }
}
