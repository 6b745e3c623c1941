//! The official tables as positioned cells with row and column spans: one description used
//! by both writers (DOCX turns spans into `w:gridSpan`/`w:vMerge`, XLSX into `mergeCells`).
//! The structure is the template's, per format: SPEC §1.4–§1.6 (2021) and §2.2 (2019); it
//! mirrors `gongkai_render::html`.

use gongkai_model::{Cell, CellValue, Col, FormatVersion, Report, T2Col, T2Row, T3Row, T4Group, T4Outcome};

/// The header note of table 三 (SPEC §1.5).
pub const T3_NOTE: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A block caption of table 二 (`第二十条第（一）项`).
    Caption,
    /// A column header.
    ColHead,
    /// A row label.
    RowHead,
    /// The 勾稽关系 note of table 三.
    Note,
    /// A value cell.
    Data,
}

/// Which report cell a value cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataRef {
    T2(T2Row, T2Col),
    T3(T3Row, Col),
    T4(T4Group, T4Outcome),
}

/// One cell of a table: position (0-based) and spans.
#[derive(Debug, Clone)]
pub struct LCell {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub kind: Kind,
    pub text: String,
    pub data: Option<DataRef>,
}

/// A table: its column count, header row count and cells.
#[derive(Debug, Clone)]
pub struct Table {
    /// Sheet name and caption: 表二, 表三, 表四.
    pub name: &'static str,
    pub cols: usize,
    pub rows: usize,
    pub header_rows: usize,
    pub cells: Vec<LCell>,
}

/// The cell's text as printed: a number exactly (`rust_decimal` Display), anything else as
/// its raw text; a blank is empty.
pub fn cell_text(c: Option<&Cell>) -> String {
    match c {
        Some(c) => match &c.value {
            CellValue::Number(d) => d.to_string(),
            _ => c.raw.to_string(),
        },
        None => String::new(),
    }
}

pub fn is_2021(r: &Report) -> bool {
    r.format != FormatVersion::F2019
}

impl Table {
    fn new(name: &'static str, cols: usize, header_rows: usize) -> Self {
        Table { name, cols, rows: 0, header_rows, cells: Vec::new() }
    }

    fn put(&mut self, row: usize, col: usize, rowspan: usize, colspan: usize, kind: Kind, text: &str) {
        self.cells.push(LCell { row, col, rowspan, colspan, kind, text: text.to_string(), data: None });
        self.rows = self.rows.max(row + rowspan);
    }

    fn data(&mut self, row: usize, col: usize, colspan: usize, r: &Report, d: DataRef) {
        let text = cell_text(value(r, d));
        self.cells.push(LCell { row, col, rowspan: 1, colspan, kind: Kind::Data, text, data: Some(d) });
        self.rows = self.rows.max(row + 1);
    }

    /// The cell covering grid position (row, col), and whether it starts there.
    pub fn covering(&self) -> Vec<Vec<Option<(usize, bool)>>> {
        let mut g = vec![vec![None; self.cols]; self.rows];
        for (i, c) in self.cells.iter().enumerate() {
            for (r, row) in g.iter_mut().enumerate().skip(c.row).take(c.rowspan) {
                for (k, slot) in row.iter_mut().enumerate().skip(c.col).take(c.colspan) {
                    *slot = Some((i, r == c.row && k == c.col));
                }
            }
        }
        g
    }
}

/// The report value a data cell shows.
pub fn value(r: &Report, d: DataRef) -> Option<&Cell> {
    match d {
        DataRef::T2(row, col) => r.table2.get(&row).and_then(|m| m.get(&col)),
        DataRef::T3(row, col) => r.t3(row, col),
        DataRef::T4(g, o) => r.t4(g, o),
    }
}

fn t2_cols(r: &Report, tr: T2Row) -> &'static [T2Col] {
    if is_2021(r) { tr.cols_2021().unwrap_or(&[]) } else { tr.cols_2019() }
}

/// Table 二 (SPEC §1.4, §2.2): four columns; each block a caption row spanning them and a
/// header row; a single value column spans the three value columns; with two, the second
/// spans two.
pub fn table2(r: &Report) -> Table {
    const W: usize = 4;
    let mut t = Table::new("表二", W, 0);
    let order = if is_2021(r) { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 };
    let spans = |n: usize, i: usize| if i + 1 == n { W - n } else { 1 };
    let mut block = "";
    let mut row = 0;
    for tr in order {
        let cols = t2_cols(r, *tr);
        if tr.block() != block {
            block = tr.block();
            t.put(row, 0, 1, W, Kind::Caption, block);
            row += 1;
            t.put(row, 0, 1, 1, Kind::ColHead, "信息内容");
            let mut c = 1;
            for (i, col) in cols.iter().enumerate() {
                t.put(row, c, 1, spans(cols.len(), i), Kind::ColHead, col.label());
                c += spans(cols.len(), i);
            }
            row += 1;
        }
        let label = if !is_2021(r) && *tr == T2Row::Norm { "规范性文件" } else { tr.label() };
        t.put(row, 0, 1, 1, Kind::RowHead, label);
        let mut c = 1;
        for (i, col) in cols.iter().enumerate() {
            t.data(row, c, spans(cols.len(), i), r, DataRef::T2(*tr, *col));
            c += spans(cols.len(), i);
        }
        row += 1;
    }
    t
}

/// The rows of table 三: the report's own rows decide where they are unambiguous — a report
/// of the 2021 format that printed （六）其他处理 as one row (as the seed report does) keeps
/// that row rather than losing its values to three empty sub-rows.
pub fn t3_rows(r: &Report) -> &'static [T3Row] {
    if r.has_r36_subrows() {
        T3Row::ROWS_2021
    } else if r.table3.contains_key(&T3Row::R3_6) || !is_2021(r) {
        T3Row::ROWS_2019
    } else {
        T3Row::ROWS_2021
    }
}

/// Table 三 (SPEC §1.5): the note spanning three label columns and three header rows,
/// 申请人情况 over the seven value columns; 三、本年度办理结果 spans the result rows (22 in
/// 2021, 20 in 2019) and each group label its sub-rows.
pub fn table3(r: &Report) -> Table {
    let mut t = Table::new("表三", 10, 3);
    t.put(0, 0, 3, 3, Kind::Note, T3_NOTE);
    t.put(0, 3, 1, 7, Kind::ColHead, "申请人情况");
    t.put(1, 3, 2, 1, Kind::ColHead, "自然人");
    t.put(1, 4, 1, 5, Kind::ColHead, "法人或其他组织");
    t.put(1, 9, 2, 1, Kind::ColHead, "总计");
    for (i, c) in Col::ALL[1..6].iter().enumerate() {
        t.put(2, 4 + i, 1, 1, Kind::ColHead, c.label());
    }
    let order = t3_rows(r);
    let results = order.iter().filter(|x| !matches!(x, T3Row::R1 | T3Row::R2 | T3Row::R4)).count();
    let mut prev_group = None;
    for (i, tr) in order.iter().enumerate() {
        let row = 3 + i;
        let g = tr.group_label();
        match tr {
            T3Row::R1 | T3Row::R2 | T3Row::R4 => t.put(row, 0, 1, 3, Kind::RowHead, tr.label()),
            T3Row::R3_1 | T3Row::R3_2 | T3Row::R3_6 | T3Row::R3_7 => {
                if *tr == T3Row::R3_1 {
                    t.put(row, 0, results, 1, Kind::RowHead, "三、本年度办理结果");
                }
                t.put(row, 1, 1, 2, Kind::RowHead, tr.label());
            }
            _ => {
                if g != prev_group {
                    let n = order.iter().filter(|x| x.group_label() == g).count();
                    t.put(row, 1, n, 1, Kind::RowHead, g.unwrap_or(""));
                }
                t.put(row, 2, 1, 1, Kind::RowHead, tr.label());
            }
        }
        prev_group = g;
        for (k, c) in Col::ALL.iter().enumerate() {
            t.data(row, 3 + k, 1, r, DataRef::T3(*tr, *c));
        }
    }
    t
}

/// Table 四 (SPEC §1.6): three header rows, one data row of 15 values.
pub fn table4(r: &Report) -> Table {
    let mut t = Table::new("表四", 15, 3);
    t.put(0, 0, 1, 5, Kind::ColHead, "行政复议");
    t.put(0, 5, 1, 10, Kind::ColHead, "行政诉讼");
    for (i, o) in T4Outcome::ALL.iter().enumerate() {
        t.put(1, i, 2, 1, Kind::ColHead, o.label());
    }
    t.put(1, 5, 1, 5, Kind::ColHead, "未经复议直接起诉");
    t.put(1, 10, 1, 5, Kind::ColHead, "复议后起诉");
    for k in 0..2 {
        for (i, o) in T4Outcome::ALL.iter().enumerate() {
            t.put(2, 5 + 5 * k + i, 1, 1, Kind::ColHead, o.label());
        }
    }
    let mut c = 0;
    for g in T4Group::ALL {
        for o in T4Outcome::ALL {
            t.data(3, c, 1, r, DataRef::T4(*g, *o));
            c += 1;
        }
    }
    t
}

/// The three tables in order.
pub fn tables(r: &Report) -> [Table; 3] {
    [table2(r), table3(r), table4(r)]
}

/// Preamble paragraphs other than the title line itself.
pub fn preamble(r: &Report) -> impl Iterator<Item = &gongkai_model::Para> {
    let title = r.title.as_ref().map(|t| t.value.as_str());
    r.preamble.iter().filter(move |p| Some(p.text.trim()) != title)
}

/// The heading to write for section `id`: the printed one when the report has the section;
/// the template's for a missing 二/三/四 whose table has data (the table needs its place);
/// none for any other missing section — a writer does not invent what the report lacks,
/// so the checker still reports it (D12) and no empty heading ends the document.
pub fn heading(r: &Report, id: u8) -> Option<&str> {
    if let Some(s) = r.section(id) {
        return Some(s.heading.as_str());
    }
    let has_table = match id {
        2 => !r.table2.is_empty(),
        3 => !r.table3.is_empty(),
        4 => !r.table4.is_empty(),
        _ => false,
    };
    has_table.then(|| gongkai_model::SectionId(id).official_heading())
}

/// `docProps/core.xml`: the document properties Word and Excel show as 标题 and 作者 (the
/// report title and the organ). No dates, so output stays deterministic.
pub fn core_props(r: &Report) -> String {
    let title = r.title.as_ref().map_or("政府信息公开工作年度报告", |t| t.value.as_str());
    core_props_for(title, r.organ.as_ref().map(|o| o.value.as_str()))
}

/// `docProps/core.xml` with a title and an optional author (the organ).
pub fn core_props_for(title: &str, creator: Option<&str>) -> String {
    let creator = creator.map(|o| format!("<dc:creator>{}</dc:creator>", crate::xml::esc(o)));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties \
xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title>{}<dc:language>zh-CN</dc:language></cp:coreProperties>",
        crate::xml::esc(title),
        creator.unwrap_or_default()
    )
}

/// Content-type override of `docProps/core.xml`.
pub const CORE_CT: &str = "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>";
