//! The catalogue of proactively disclosed documents (条例第十二条, SPEC §7.1–§7.3) and its
//! 索引号 patterns. Table 二 block A is counted from these entries.

use crate::OrganId;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Database id of a catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryId(pub i64);

/// What kind of document an entry is. 规章 and 行政规范性文件 are the two rows of table 二 block A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogueKind {
    /// 规章.
    Rule,
    /// 行政规范性文件.
    Normative,
    /// Anything else published proactively.
    Other,
}

impl CatalogueKind {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            CatalogueKind::Rule => "规章",
            CatalogueKind::Normative => "行政规范性文件",
            CatalogueKind::Other => "其他",
        }
    }
}

/// 有效 / 废止 at a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    NotYetIssued,
    Valid,
    Repealed,
}

impl Validity {
    /// Chinese label as catalogue pages show it (SPEC §7.2 有效性).
    pub fn label(self) -> &'static str {
        match self {
            Validity::NotYetIssued => "未生效",
            Validity::Valid => "有效",
            Validity::Repealed => "废止",
        }
    }
}

/// One catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    pub id: EntryId,
    pub organ: OrganId,
    pub kind: CatalogueKind,
    pub title: String,
    /// 文号, e.g. `某政发〔2024〕3号` (brackets U+3014/U+3015).
    #[serde(default)]
    pub doc_number: String,
    /// 索引号, unique within the organ; generated from the organ's [`IndexPattern`].
    pub index_no: String,
    /// 成文/发布日期.
    pub issued: Date,
    /// 废止日期.
    pub repealed: Option<Date>,
    pub version: i64,
}

impl CatalogueEntry {
    /// Validity at the end of `day`.
    pub fn validity_at(&self, day: Date) -> Validity {
        if self.issued > day {
            Validity::NotYetIssued
        } else if self.repealed.is_some_and(|r| r <= day) {
            Validity::Repealed
        } else {
            Validity::Valid
        }
    }
}

/// A parsed 索引号 pattern (SPEC §7.3: there is no national standard, so each organ configures
/// its own). Tokens: `{code}` organisation code, `{yyyy}`, `{yyyymm}`, `{yyyymmdd}` from the
/// issue date, `{seq}` or `{seq:N}` the serial, zero-padded to N digits. Everything else is
/// literal. A pattern must contain exactly one `{seq…}` so that numbers can be unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPattern {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Code,
    Year,
    YearMonth,
    YearMonthDay,
    Seq(usize),
}

/// Why a 索引号 pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexPatternError {
    #[error("索引号模式第 {0} 个字符处的“{{”没有闭合")]
    Unclosed(usize),
    #[error("索引号模式含未知占位符“{{{0}}}”（可用：code、yyyy、yyyymm、yyyymmdd、seq、seq:N）")]
    UnknownToken(String),
    #[error("索引号模式必须恰好含一个流水号占位符 {{seq}} 或 {{seq:N}}")]
    Seq,
}

impl IndexPattern {
    /// The pattern the register uses when an organ configured none: `{code}/{yyyy}-{seq:5}`
    /// (the 国务院 shape `000014349/2018-00222`).
    pub const DEFAULT: &'static str = "{code}/{yyyy}-{seq:5}";

    /// Parse a pattern string.
    pub fn parse(s: &str) -> Result<IndexPattern, IndexPatternError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = s;
        let mut offset = 0;
        while let Some(open) = rest.find('{') {
            lit.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or(IndexPatternError::Unclosed(s[..offset + open].chars().count() + 1))?;
            let token = &after[..close];
            let part = match token {
                "code" => Part::Code,
                "yyyy" => Part::Year,
                "yyyymm" => Part::YearMonth,
                "yyyymmdd" => Part::YearMonthDay,
                "seq" => Part::Seq(1),
                t => match t.strip_prefix("seq:").and_then(|n| n.parse::<usize>().ok()) {
                    Some(n) if (1..=12).contains(&n) => Part::Seq(n),
                    _ => return Err(IndexPatternError::UnknownToken(t.to_string())),
                },
            };
            if !lit.is_empty() {
                parts.push(Part::Lit(std::mem::take(&mut lit)));
            }
            parts.push(part);
            offset += open + 1 + close + 1;
            rest = &after[close + 1..];
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        if parts.iter().filter(|p| matches!(p, Part::Seq(_))).count() != 1 {
            return Err(IndexPatternError::Seq);
        }
        Ok(IndexPattern { parts })
    }

    fn write(&self, code: &str, issued: Date, seq: Option<u32>) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Code => out.push_str(code),
                Part::Year => out.push_str(&format!("{:04}", issued.year())),
                Part::YearMonth => out.push_str(&format!("{:04}{:02}", issued.year(), issued.month())),
                Part::YearMonthDay => {
                    out.push_str(&format!("{:04}{:02}{:02}", issued.year(), issued.month(), issued.day()))
                }
                Part::Seq(w) => {
                    if let Some(n) = seq {
                        out.push_str(&format!("{n:0w$}"));
                    } else {
                        out.push('#');
                    }
                }
            }
        }
        out
    }

    /// The 索引号 for serial `seq`.
    pub fn render(&self, code: &str, issued: Date, seq: u32) -> String {
        self.write(code, issued, Some(seq))
    }

    /// The serial's scope: entries of one organ whose scope keys are equal share one serial
    /// sequence (with `{yyyy}` in the pattern the serial restarts every year).
    pub fn scope_key(&self, code: &str, issued: Date) -> String {
        self.write(code, issued, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn patterns_of_spec_7_3_render() {
        let d = date(2018, 3, 9);
        let p = IndexPattern::parse(IndexPattern::DEFAULT).unwrap();
        assert_eq!(p.render("000014349", d, 222), "000014349/2018-00222");
        let p = IndexPattern::parse("{code}/{yyyymm}-{seq:5}").unwrap();
        assert_eq!(p.render("11341702486344515H", date(2021, 10, 8), 13), "11341702486344515H/202110-00013");
        let p = IndexPattern::parse("{code}-{yyyy}-{seq}").unwrap();
        assert_eq!(p.render("01527918X", date(2020, 1, 1), 153077), "01527918X-2020-153077");
        assert_eq!(p.scope_key("01527918X", date(2020, 5, 1)), p.scope_key("01527918X", date(2020, 9, 1)));
        assert_ne!(p.scope_key("01527918X", date(2020, 5, 1)), p.scope_key("01527918X", date(2021, 5, 1)));
    }

    #[test]
    fn bad_patterns_are_refused_with_a_reason() {
        assert_eq!(IndexPattern::parse("{code}-{yyyy}"), Err(IndexPatternError::Seq));
        assert_eq!(IndexPattern::parse("{seq}{seq}"), Err(IndexPatternError::Seq));
        assert_eq!(IndexPattern::parse("{code}-{seq"), Err(IndexPatternError::Unclosed(8)));
        assert!(matches!(IndexPattern::parse("{dept}-{seq}"), Err(IndexPatternError::UnknownToken(t)) if t == "dept"));
        assert!(IndexPattern::parse("{seq:0}").is_err());
        let msg = IndexPattern::parse("{x}").unwrap_err().to_string();
        assert!(msg.contains("未知占位符"), "{msg}");
    }

    #[test]
    fn validity_follows_issue_and_repeal_dates() {
        let e = CatalogueEntry {
            id: EntryId(1),
            organ: OrganId(1),
            kind: CatalogueKind::Normative,
            title: "关于某事项的通知".into(),
            doc_number: "某政发〔2022〕3号".into(),
            index_no: "x/2022-00001".into(),
            issued: date(2022, 3, 1),
            repealed: Some(date(2024, 6, 30)),
            version: 1,
        };
        assert_eq!(e.validity_at(date(2022, 2, 28)), Validity::NotYetIssued);
        assert_eq!(e.validity_at(date(2023, 12, 31)), Validity::Valid);
        assert_eq!(e.validity_at(date(2024, 6, 30)), Validity::Repealed);
    }
}
