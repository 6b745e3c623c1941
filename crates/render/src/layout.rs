//! The official tables 二, 三 and 四 as positioned cells with row and column spans: the one
//! description of the template's layout, per format (SPEC §1.4–§1.6 for 2021, §2.2 for
//! 2019). Every writer iterates it: the text shapes and Markdown (through [`Table::word_rows`]
//! and [`Table::grid_rows`]), HTML (`rowspan`/`colspan`), and `gongkai-office`'s DOCX
//! (`w:gridSpan`/`w:vMerge`) and XLSX (`mergeCells`) writers. Web templates take the same
//! [`Table`].

use gongkai_model::{Cell, CellValue, Col, FormatVersion, Report, T2Col, T2Row, T3Row, T4Group, T4Outcome};

/// The header note of table 三 (SPEC §1.5).
pub const T3_NOTE: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

/// What a cell of the layout is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A block caption of table 二 (`第二十条第（一）项`); starts a block of rows.
    Caption,
    /// A column header.
    ColHead,
    /// A row label.
    RowHead,
    /// The 勾稽关系 note of table 三 (heads neither rows nor columns).
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

/// One cell of a table: position (0-based), spans, what it is and its printed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LCell {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub kind: Kind,
    pub text: String,
    /// The report cell a value cell shows (None for labels and headers).
    pub data: Option<DataRef>,
    /// Whether a value cell holds a number.
    pub number: bool,
}

/// A table: which one, its grid size, header row count and cells (in row, then column order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// 2, 3 or 4.
    pub id: u8,
    /// Sheet name: 表二, 表三, 表四.
    pub name: &'static str,
    /// The caption, the official heading of the table's section.
    pub caption: &'static str,
    pub cols: usize,
    pub rows: usize,
    /// Rows that head the table (repeated on a continuation page); 0 for table 二, whose
    /// blocks carry their own caption and header rows.
    pub header_rows: usize,
    pub cells: Vec<LCell>,
}

/// A cell of a row projected for a text writer: its text, and for a value cell whether it
/// is a number (None for labels, headers and the empty places of merges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextCell<'a> {
    pub text: &'a str,
    pub value: Option<bool>,
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

/// Whether the report is laid out in the 2021 format (anything but 2019).
pub fn is_2021(r: &Report) -> bool {
    r.format != FormatVersion::F2019
}

/// Whether table 二 is printed in its 2021 shape: by the format, except that a mixed or
/// unknown report whose table 二 holds a cell only the 2019 shape has keeps the 2019 shape
/// (a writer must not drop cells the report has).
pub fn t2_2021(r: &Report) -> bool {
    match r.format {
        FormatVersion::F2021 => true,
        FormatVersion::F2019 => false,
        _ => !r.table2.iter().any(|(row, cs)| cs.iter().any(|(c, _)| !row.cols_2021().is_some_and(|x| x.contains(c)))),
    }
}

fn t2_order(r: &Report) -> &'static [T2Row] {
    if t2_2021(r) { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 }
}

fn t2_cols(r: &Report, tr: T2Row) -> &'static [T2Col] {
    if t2_2021(r) { tr.cols_2021().unwrap_or(&[]) } else { tr.cols_2019() }
}

/// The printed label of a table-二 row (2019 prints `规范性文件`).
fn t2_label(r: &Report, tr: T2Row) -> &'static str {
    if !t2_2021(r) && tr == T2Row::Norm { "规范性文件" } else { tr.label() }
}

/// The row set of table 三 as the report has it: a single （六）其他处理 row (2019, or a 2021
/// table that printed it so, SPEC §2.3) stays one row rather than losing its values to
/// three empty sub-rows; sub-rows stay sub-rows; only a table with neither follows the format.
pub fn t3_rows(r: &Report) -> &'static [T3Row] {
    if r.has_r36_subrows() {
        T3Row::ROWS_2021
    } else if r.table3.contains_key(&T3Row::R3_6) || !is_2021(r) {
        T3Row::ROWS_2019
    } else {
        T3Row::ROWS_2021
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

impl Table {
    fn new(id: u8, name: &'static str, caption: &'static str, cols: usize, header_rows: usize) -> Self {
        Table { id, name, caption, cols, rows: 0, header_rows, cells: Vec::new() }
    }

    fn put(&mut self, row: usize, col: usize, rowspan: usize, colspan: usize, kind: Kind, text: &str) {
        self.cells.push(LCell { row, col, rowspan, colspan, kind, text: text.to_string(), data: None, number: false });
        self.rows = self.rows.max(row + rowspan);
    }

    fn data(&mut self, row: usize, col: usize, colspan: usize, r: &Report, d: DataRef) {
        let v = value(r, d);
        let number = v.is_some_and(|c| matches!(c.value, CellValue::Number(_)));
        self.cells.push(LCell {
            row,
            col,
            rowspan: 1,
            colspan,
            kind: Kind::Data,
            text: cell_text(v),
            data: Some(d),
            number,
        });
        self.rows = self.rows.max(row + 1);
    }

    /// For every grid position, the index of the cell covering it and whether the cell
    /// starts there (None: a hole, which the official layouts do not have).
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

    /// The cells starting in grid row `row`, left to right.
    pub fn row_cells(&self, row: usize) -> impl Iterator<Item = &LCell> {
        let mut v: Vec<&LCell> = self.cells.iter().filter(|c| c.row == row).collect();
        v.sort_by_key(|c| c.col);
        v.into_iter()
    }

    /// Whether grid row `row` holds no value cell (a caption or header row).
    pub fn is_header_row(&self, row: usize) -> bool {
        !self.cells.iter().any(|c| c.row == row && c.kind == Kind::Data)
    }

    /// The rows as Word exports a table as text: a merged cell prints once, in its first
    /// row; each following row of a vertical merge prints one empty cell in its place;
    /// horizontal merges print nothing more. Rows have different lengths.
    pub fn word_rows(&self) -> Vec<Vec<TextCell<'_>>> {
        self.project(false)
    }

    /// The rows aligned to the template's grid: every position of a merge but the first is
    /// an empty cell, so values stand under their column headers and every row has
    /// [`Table::cols`] cells.
    pub fn grid_rows(&self) -> Vec<Vec<TextCell<'_>>> {
        self.project(true)
    }

    fn project(&self, grid: bool) -> Vec<Vec<TextCell<'_>>> {
        const EMPTY: TextCell<'static> = TextCell { text: "", value: None };
        self.covering()
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let mut out = Vec::with_capacity(self.cols);
                for (k, slot) in row.iter().enumerate() {
                    match *slot {
                        Some((i, true)) => {
                            let c = &self.cells[i];
                            out.push(TextCell { text: &c.text, value: c.data.map(|_| c.number) });
                        }
                        // The first column of a vertical merge's continuation row.
                        Some((i, false)) if !grid && self.cells[i].col == k && self.cells[i].row < r => out.push(EMPTY),
                        Some(_) | None if grid => out.push(EMPTY),
                        _ => {}
                    }
                }
                out
            })
            .collect()
    }
}

/// Table 二 (SPEC §1.4, §2.2): four columns; each block a caption row spanning them and a
/// header row; a single value column spans the three value columns; with two, the second
/// spans two.
pub fn table2(r: &Report) -> Table {
    const W: usize = 4;
    let mut t = Table::new(2, "表二", "二、主动公开政府信息情况", W, 0);
    let spans = |n: usize, i: usize| if i + 1 == n { W - n } else { 1 };
    let mut block = "";
    let mut row = 0;
    for tr in t2_order(r) {
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
        t.put(row, 0, 1, 1, Kind::RowHead, t2_label(r, *tr));
        let mut c = 1;
        for (i, col) in cols.iter().enumerate() {
            t.data(row, c, spans(cols.len(), i), r, DataRef::T2(*tr, *col));
            c += spans(cols.len(), i);
        }
        row += 1;
    }
    t
}

/// Table 三 (SPEC §1.5): the note spanning three label columns and three header rows,
/// 申请人情况 over the seven value columns; 三、本年度办理结果 spans the result rows (22 in
/// 2021, 20 in 2019) and each group label its sub-rows.
pub fn table3(r: &Report) -> Table {
    let mut t = Table::new(3, "表三", "三、收到和处理政府信息公开申请情况", 10, 3);
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
    let mut t = Table::new(4, "表四", "四、政府信息公开行政复议、行政诉讼情况", 15, 3);
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

/// Table `id` (2, 3 or 4).
pub fn table(r: &Report, id: u8) -> Option<Table> {
    match id {
        2 => Some(table2(r)),
        3 => Some(table3(r)),
        4 => Some(table4(r)),
        _ => None,
    }
}

/// The three tables in order.
pub fn tables(r: &Report) -> [Table; 3] {
    [table2(r), table3(r), table4(r)]
}

/// Preamble paragraphs other than the title line itself (writers print the title as the
/// heading).
pub fn preamble(r: &Report) -> impl Iterator<Item = &gongkai_model::Para> {
    let title = r.title.as_ref().map(|t| t.value.as_str());
    r.preamble.iter().filter(move |p| Some(p.text.trim()) != title)
}
