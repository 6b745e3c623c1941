//! The report data: what the parser extracts and the generators write.

use serde::{Deserialize, Serialize};

use crate::cell::{Cell, Src};
use crate::ids::{Col, T2Col, T2Row, T3Row, T4Group, T4Outcome};
use crate::table::Table;

/// Version of the report JSON schema (`docs/schema/report.schema.json`). Bump on any
/// incompatible change.
pub const SCHEMA_VERSION: &str = "gongkai.report/1";

/// Table template of a report (SPEC §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FormatVersion {
    /// 国办公开办函〔2021〕30号
    #[serde(rename = "2021")]
    F2021,
    /// 国办公开办函〔2019〕60号 (试行)
    #[serde(rename = "2019")]
    F2019,
    /// 2008–2018 reports under the 2007 条例
    #[serde(rename = "pre2019")]
    Pre2019,
    /// markers of two formats
    #[serde(rename = "mixed")]
    Mixed,
    #[serde(rename = "unknown")]
    Unknown,
}

impl FormatVersion {
    /// Expected format for a report year (SPEC §2.5).
    pub fn expected_for_year(year: i32) -> FormatVersion {
        match year {
            ..=2018 => FormatVersion::Pre2019,
            2019 | 2020 => FormatVersion::F2019,
            _ => FormatVersion::F2021,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            FormatVersion::F2021 => "2021年版格式（国办公开办函〔2021〕30号）",
            FormatVersion::F2019 => "2019年版格式（国办公开办函〔2019〕60号）",
            FormatVersion::Pre2019 => "2019年以前的格式",
            FormatVersion::Mixed => "混合格式",
            FormatVersion::Unknown => "未识别格式",
        }
    }
}

/// What decided a report's [`FormatVersion`] (issue 13 part 3), strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FormatBasis {
    /// Labels of the tables themselves (SPEC §2.5 markers, the （六） row set).
    Tables,
    /// The format document the text cites (国办公开办函〔2021〕30号 / 〔2019〕60号).
    Citation,
    /// The section outline: the pre-2019 layouts against the six sections of 2019 and later.
    Structure,
    /// Only the report year: the format SPEC §2.5 says was in force (an inference).
    Year,
}

impl FormatBasis {
    pub fn name_zh(self) -> &'static str {
        match self {
            FormatBasis::Tables => "依据表格栏目",
            FormatBasis::Citation => "依据报告所引格式文件",
            FormatBasis::Structure => "依据章节结构",
            FormatBasis::Year => "按报告年度推断",
        }
    }
}

/// Where the report year was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum YearBasis {
    /// The title (or the page title of an HTML file).
    Title,
    /// A fallback when there is no title year: the report's own words (`现将…2022年度…报告`,
    /// `统计期限自2022年1月1日`, the first `2022年` of 总体情况).
    Text,
    /// Weakest: no year in the title or the words, only in the address the text was taken
    /// from (`# source:` / `原文链接:` line) where the address spells the report year
    /// (`…2012年上海市…年度报告` percent-encoded, or `2013nd` = 年度). A publication date in an
    /// address (`/202301/t20230130_…`) is not the report year and is never taken.
    Url,
}

/// A format fingerprint found in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatMarker {
    pub marker: String,
    pub format: FormatVersion,
    pub src: Src,
}

/// Section number 1–6 (SPEC §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SectionId(pub u8);

impl SectionId {
    pub fn official_heading(self) -> &'static str {
        crate::labels::SECTION_HEADINGS.get(usize::from(self.0).wrapping_sub(1)).copied().unwrap_or("")
    }
}

/// A paragraph (or line) of prose with its location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Para {
    pub text: String,
    pub src: Src,
    /// True when `text` is a verbatim slice of the source starting at `src.start`, so a byte
    /// offset into `text` is a byte offset into the source.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verbatim: bool,
}

impl Para {
    /// Location of `len` bytes at byte `off` of `text`: exact when the text is verbatim, else
    /// the whole paragraph.
    pub fn src_at(&self, off: usize, len: usize) -> Src {
        if !self.verbatim || off > self.text.len() || !self.text.is_char_boundary(off) {
            return self.src;
        }
        let before = &self.text[..off];
        Src {
            start: self.src.start + off as u32,
            end: self.src.start + (off + len).min(self.text.len()) as u32,
            line: self.src.line + before.matches('\n').count() as u32,
            col: match before.rfind('\n') {
                Some(nl) => before[nl + 1..].chars().count() as u32 + 1,
                None => self.src.col + before.chars().count() as u32,
            },
            grid: None,
        }
    }
}

/// One of the six sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: SectionId,
    /// The heading as printed.
    pub heading: String,
    /// The number printed before the heading (`一、` or `第一部分` → 1), when it has one. The
    /// parser records it as read, whether or not it is the section's own (`id`); the checker
    /// judges the numbering (D12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    pub src: Src,
    /// Prose of the section (table cells excluded).
    pub paras: Vec<Para>,
}

/// A text value with its location (title, organ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Located<T> {
    pub value: T,
    pub src: Src,
}

pub type Table2 = Table<T2Row, T2Col>;
pub type Table3 = Table<T3Row, Col>;
pub type Table4 = Table<T4Group, T4Outcome>;

/// Where each table was found (None: not found).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablesFound {
    pub table2: Option<Src>,
    pub table3: Option<Src>,
    pub table4: Option<Src>,
}

/// Information about the source document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// File name or "-" for stdin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// "text", "html", "pdf", "docx" or "xlsx".
    pub kind: String,
    /// Encoding the bytes were decoded from ("UTF-8", "GBK", …).
    pub encoding: String,
    pub bytes: u64,
}

/// A parsed (or generated) annual report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub source: SourceInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Located<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organ: Option<Located<String>>,
    /// The organ named in the signature block (落款) at the end, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Located<String>>,
    /// The report year (the year the statistics cover), from the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<Located<i32>>,
    /// Where `year` was read; `text` marks a fallback (no year in a title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_basis: Option<YearBasis>,
    /// Detected table template.
    pub format: FormatVersion,
    /// What decided `format` (absent when it is `unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_basis: Option<FormatBasis>,
    /// The format document the text cites, if any (`2021` for 国办公开办函〔2021〕30号, `2019`
    /// for 〔2019〕60号), where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_cited: Option<Located<FormatVersion>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub format_markers: Vec<FormatMarker>,
    /// Text before the first section heading (title block, preamble).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preamble: Vec<Para>,
    pub sections: Vec<Section>,
    pub tables: TablesFound,
    /// Set when the source ends mid-document (cut inside a sentence or a table): where it
    /// ends. Rules do not report sections or tables after this point as missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<Src>,
    pub table2: Table2,
    pub table3: Table3,
    pub table4: Table4,
    /// What a pre-2019 report has, read as it is (set only when `format` is `pre2019`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre2019: Option<Pre2019>,
}

/// A pre-2019 report (2007 条例 era, SPEC §2.4) as it is: its own outline and its
/// 政府信息公开情况统计表, not measured against the six sections and tables 二–四 of 2019+.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pre2019 {
    /// The report's own numbered section headings (`一、概述`, `三、政府信息依申请公开工作情况`,
    /// `六、政府信息公开情况统计表`), in order, as printed.
    pub headings: Vec<Located<String>>,
    /// The statistics table's value columns as printed (`2017年度`, `历年累计`), when found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stats_columns: Vec<String>,
    /// The statistics table's rows, when found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stats: Vec<StatRow>,
}

/// One indicator row of a pre-2019 statistics table: `主动公开文件数 | 条 | 2122 | 10037`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatRow {
    /// The indicator as printed, without `其中：` and its item number (`1、`).
    pub label: String,
    /// The unit column (`条`, `件`, `万元`), empty when none is printed.
    pub unit: String,
    /// The value cells in column order; digits that ran together and split more than one
    /// way are `ambiguous` with their candidates (never guessed).
    pub cells: Vec<Cell>,
    pub src: Src,
}

impl Report {
    /// Every table cell with its name (`T2.REG.ISSUED`, `T3.R1.NP`, `T4.RV.MAINT`), in table
    /// order.
    pub fn named_cells(&self) -> impl Iterator<Item = (String, &Cell)> {
        let t2 = self.table2.iter().flat_map(|(row, m)| m.iter().map(move |(c, v)| (format!("T2.{row}.{c}"), v)));
        let t3 = self.table3.iter().flat_map(|(row, m)| m.iter().map(move |(c, v)| (format!("T3.{row}.{c}"), v)));
        let t4 = self.table4.iter().flat_map(|(g, m)| m.iter().map(move |(o, v)| (format!("T4.{g}.{o}"), v)));
        t2.chain(t3).chain(t4)
    }

    /// Every table cell as a name ([`Report::named_cells`]) and its number, normalised
    /// (`None` when the cell is not a number), in table order: the data that must survive
    /// writing a report out and reading it back.
    pub fn cell_values(&self) -> Vec<(String, Option<String>)> {
        self.named_cells().map(|(name, c)| (name, c.as_number().map(|d| d.normalize().to_string()))).collect()
    }

    pub fn empty() -> Self {
        Report {
            schema: SCHEMA_VERSION.to_string(),
            source: SourceInfo::default(),
            title: None,
            organ: None,
            signature: None,

            year: None,
            year_basis: None,
            format: FormatVersion::Unknown,
            format_basis: None,
            format_cited: None,
            format_markers: Vec::new(),
            preamble: Vec::new(),
            sections: Vec::new(),
            tables: TablesFound::default(),
            truncated: None,
            table2: Table2::new(),
            table3: Table3::new(),
            table4: Table4::new(),
            pre2019: None,
        }
    }

    pub fn section(&self, id: u8) -> Option<&Section> {
        self.sections.iter().find(|s| s.id.0 == id)
    }

    pub fn t3(&self, row: T3Row, col: Col) -> Option<&Cell> {
        self.table3.get(&row).and_then(|r| r.get(&col))
    }

    pub fn t4(&self, g: T4Group, o: T4Outcome) -> Option<&Cell> {
        self.table4.get(&g).and_then(|r| r.get(&o))
    }

    /// Whether table 三 has the 2021 sub-rows of （六）其他处理.
    pub fn has_r36_subrows(&self) -> bool {
        [T3Row::R3_6_1, T3Row::R3_6_2, T3Row::R3_6_3].iter().any(|r| self.table3.contains_key(r))
    }

    /// All prose paragraphs in document order: preamble, then each section's.
    pub fn all_paras(&self) -> impl Iterator<Item = (Option<u8>, &Para)> {
        self.preamble
            .iter()
            .map(|p| (None, p))
            .chain(self.sections.iter().flat_map(|s| s.paras.iter().map(move |p| (Some(s.id.0), p))))
    }
}
