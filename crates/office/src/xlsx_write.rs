//! Report → XLSX: a sheet 正文 with the title and the prose, then one sheet per table (表二,
//! 表三, 表四) with the template's header labels and merged cells (SPEC §1.4–§1.6, §2.2).
//!
//! SpreadsheetML is written by hand with the `zip` writer rather than with rust_xlsxwriter:
//! the workbook is small and fixed, hand-written parts keep the dependency set to what the
//! reader needs anyway, and the exact cell XML matters here — each 总计 cell is a live `SUM`
//! formula *with its cached value* (`<f>` and `<v>`), so Excel shows the right number
//! without recalculating and the reader gets the value back.
//!
//! A formula is written only when the report's own total equals the sum of its parts
//! (identities E2, E3, E4 of SPEC §1.7, every part a number). Otherwise the total is written
//! as the plain value the report printed: a recalculation must never silently replace a
//! published number, and the checker must still see the inconsistency. Blank cells stay
//! empty; placeholders and unreadable cells keep their raw text.

use std::collections::HashMap;
use std::fmt::Write;

use gongkai_model::{CellValue, Col, Report, T3Row, T4Outcome};
use rust_decimal::Decimal;

use crate::archive::write_zip;
use crate::flat::a1;
use crate::layout::{self, DataRef, Kind, LCell, Table, value};
use crate::xml::esc;

/// Most characters Excel accepts in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Style indexes in `styles.xml` (cellXfs).
pub(crate) const S_HEAD: u32 = 1;
const S_LABEL: u32 = 2;
const S_DATA: u32 = 3;
const S_PROSE: u32 = 4;
const S_TITLE: u32 = 5;
const S_HEADING: u32 = 6;
/// Ledger cells: a date (`yyyy-mm-dd`), a whole number, wrapped text; all bordered.
pub(crate) const S_LEDGER_DATE: u32 = 7;
pub(crate) const S_LEDGER_NUM: u32 = 8;
pub(crate) const S_LEDGER_TEXT: u32 = 9;

/// Shared string table.
#[derive(Debug, Default)]
pub(crate) struct Sst {
    ix: HashMap<String, usize>,
    list: Vec<String>,
    count: usize,
}

impl Sst {
    fn get(&mut self, s: &str) -> usize {
        self.count += 1;
        if let Some(i) = self.ix.get(s) {
            return *i;
        }
        self.list.push(s.to_string());
        self.ix.insert(s.to_string(), self.list.len() - 1);
        self.list.len() - 1
    }
}

pub(crate) fn string_cell(out: &mut String, sst: &mut Sst, r: u32, c: u32, style: u32, text: &str) {
    // Excel refuses longer cells; only a pathological table cell can reach this.
    let text = match text.char_indices().nth(MAX_CELL_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    };
    if text.is_empty() {
        let _ = write!(out, "<c r=\"{}\" s=\"{style}\"/>", a1(r, c));
    } else {
        let _ = write!(out, "<c r=\"{}\" s=\"{style}\" t=\"s\"><v>{}</v></c>", a1(r, c), sst.get(text));
    }
}

/// Estimated width of `text` at `pt` points, in Excel column-width units (about one digit of
/// the 11 pt default font): a CJK or full-width character takes about two, anything else one.
/// Generous on purpose: a row a little too high prints fine, a row too low cuts text off.
pub(crate) fn text_units(text: &str, pt: f64) -> f64 {
    let units: f64 = text.chars().map(|c| if (c as u32) >= 0x2E80 { 2.2 } else { 1.15 }).sum();
    units * pt / 11.0
}

/// Lines that `text` wraps to in a cell `width` units wide (explicit line breaks kept).
pub(crate) fn wrapped_lines(text: &str, width: f64, pt: f64) -> usize {
    let usable = (width - 1.5).max(1.0);
    // The tolerance keeps a text that fills the width exactly on one line despite rounding.
    text.split('\n').map(|l| ((text_units(l, pt) / usable - 1e-6).ceil() as usize).max(1)).sum()
}

/// Row height in points for `lines` lines of `pt`-point text (CJK fonts need about 1.5 times
/// the size per line), with a little air.
pub(crate) fn row_height(lines: usize, pt: f64) -> f64 {
    (lines as f64 * pt * 1.5 + 5.0).ceil()
}

/// Column widths of a table sheet: label columns wide enough for the official labels, value
/// columns for the header words.
fn table_widths(t: &Table) -> Vec<f64> {
    match t.id {
        2 => vec![26.0, 17.0, 17.0, 17.0],
        3 => [8.0, 16.0, 40.0].into_iter().chain(std::iter::repeat_n(10.0, 7)).collect(),
        _ => vec![9.5; t.cols],
    }
}

/// Row heights (points) that fit every cell's wrapped text: a cell of one row sets its row's
/// height; a cell spanning rows that need more room than they have gets the difference spread
/// over them.
fn table_heights(t: &Table, widths: &[f64]) -> Vec<f64> {
    const PT: f64 = 11.0;
    let span_width = |c: &LCell| widths[c.col..(c.col + c.colspan).min(widths.len())].iter().sum::<f64>();
    let mut h = vec![row_height(1, PT); t.rows];
    for c in t.cells.iter().filter(|c| c.rowspan == 1) {
        h[c.row] = h[c.row].max(row_height(wrapped_lines(&c.text, span_width(c), PT), PT));
    }
    for c in t.cells.iter().filter(|c| c.rowspan > 1) {
        let need = row_height(wrapped_lines(&c.text, span_width(c), PT), PT);
        let rows = c.row..(c.row + c.rowspan).min(t.rows);
        let have: f64 = h[rows.clone()].iter().sum();
        if need > have {
            let add = ((need - have) / rows.len() as f64).ceil();
            for x in &mut h[rows] {
                *x += add;
            }
        }
    }
    h
}

/// A sheet name quoted for a formula or a defined name (`'表三'`).
pub(crate) fn quoted(sheet: &str) -> String {
    format!("'{}'", sheet.replace('\'', "''"))
}

/// Page setup of a sheet: A4, fitted to the page width (as many pages down as needed),
/// centred horizontally; the sheet's name (表三 …) as the page header and `第 N 页，共 M 页`
/// as the footer, so a printed page says which table it holds.
fn page_setup(out: &mut String, landscape: bool) {
    let orient = if landscape { "landscape" } else { "portrait" };
    let _ = write!(
        out,
        "<printOptions horizontalCentered=\"1\"/><pageMargins left=\"0.6\" right=\"0.6\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
<pageSetup paperSize=\"9\" orientation=\"{orient}\" fitToWidth=\"1\" fitToHeight=\"0\"/>\
<headerFooter><oddHeader>&amp;C&amp;A</oddHeader><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>"
    );
}

/// The `SUM` formula of a total cell and the sum it gives, when the report's total equals
/// it. Positions are 1-based sheet rows and columns.
fn total_formula(r: &Report, d: DataRef, at: &HashMap<DataRef, (u32, u32)>) -> Option<String> {
    let parts: Vec<DataRef> = match d {
        DataRef::T3(row, Col::Tot) => Col::ALL[..6].iter().map(|c| DataRef::T3(row, *c)).collect(),
        DataRef::T3(T3Row::R3_7, col) => {
            T3Row::result_rows(r.has_r36_subrows()).filter(|x| *x != T3Row::R3_7).map(|x| DataRef::T3(x, col)).collect()
        }
        DataRef::T4(g, T4Outcome::Tot) => T4Outcome::ALL[..4].iter().map(|o| DataRef::T4(g, *o)).collect(),
        _ => return None,
    };
    let total = value(r, d)?.as_number()?;
    let mut sum = Decimal::ZERO;
    for p in &parts {
        sum += value(r, *p)?.as_number()?;
    }
    if sum != total {
        return None;
    }
    // The parts lie in one row or one column, contiguous.
    let pos: Vec<(u32, u32)> = parts.iter().map(|p| at.get(p).copied()).collect::<Option<_>>()?;
    let (first, last) = (*pos.first()?, *pos.last()?);
    let contiguous = pos
        .windows(2)
        .all(|w| (w[0].0 == w[1].0 && w[1].1 == w[0].1 + 1) || (w[0].1 == w[1].1 && w[1].0 == w[0].0 + 1));
    contiguous.then(|| format!("SUM({}:{})", a1(first.0, first.1), a1(last.0, last.1)))
}

fn table_sheet(r: &Report, t: &Table, sst: &mut Sst) -> String {
    // Sheet position of every value cell (1-based), for the formulas.
    let at: HashMap<DataRef, (u32, u32)> =
        t.cells.iter().filter_map(|c| Some((c.data?, (c.row as u32 + 1, c.col as u32 + 1)))).collect();
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>",
    );
    let _ = write!(out, "<dimension ref=\"A1:{}\"/><cols>", a1(t.rows as u32, t.cols as u32));
    let widths = table_widths(t);
    let heights = table_heights(t, &widths);
    for (i, w) in widths.iter().enumerate() {
        let _ = write!(out, "<col min=\"{0}\" max=\"{0}\" width=\"{w}\" customWidth=\"1\"/>", i + 1);
    }
    out.push_str("</cols><sheetData>");
    let cover = t.covering();
    for (ri, row) in cover.iter().enumerate() {
        let rn = ri as u32 + 1;
        let _ = write!(out, "<row r=\"{rn}\" ht=\"{}\" customHeight=\"1\">", heights[ri]);
        for (ci, slot) in row.iter().enumerate() {
            let cn = ci as u32 + 1;
            let Some((i, starts)) = *slot else {
                let _ = write!(out, "<c r=\"{}\" s=\"{S_DATA}\"/>", a1(rn, cn));
                continue;
            };
            let c = &t.cells[i];
            let style = match c.kind {
                Kind::Caption | Kind::ColHead => S_HEAD,
                Kind::RowHead | Kind::Note => S_LABEL,
                Kind::Data => S_DATA,
            };
            if !starts {
                // Covered by a merge: an empty cell that carries the border.
                let _ = write!(out, "<c r=\"{}\" s=\"{style}\"/>", a1(rn, cn));
                continue;
            }
            match c.data.and_then(|d| value(r, d).map(|v| (d, v))) {
                Some((d, v)) => match &v.value {
                    CellValue::Number(n) => match total_formula(r, d, &at) {
                        Some(f) => {
                            let _ = write!(out, "<c r=\"{}\" s=\"{style}\"><f>{f}</f><v>{n}</v></c>", a1(rn, cn));
                        }
                        None => {
                            let _ = write!(out, "<c r=\"{}\" s=\"{style}\"><v>{n}</v></c>", a1(rn, cn));
                        }
                    },
                    CellValue::Blank => string_cell(&mut out, sst, rn, cn, style, ""),
                    CellValue::Placeholder | CellValue::Unreadable | CellValue::Ambiguous(_) => {
                        string_cell(&mut out, sst, rn, cn, style, &v.raw)
                    }
                },
                None => string_cell(&mut out, sst, rn, cn, style, &c.text),
            }
        }
        out.push_str("</row>");
    }
    out.push_str("</sheetData>");
    let merges: Vec<_> = t.cells.iter().filter(|c| c.rowspan > 1 || c.colspan > 1).collect();
    if !merges.is_empty() {
        let _ = write!(out, "<mergeCells count=\"{}\">", merges.len());
        for c in merges {
            let _ = write!(
                out,
                "<mergeCell ref=\"{}:{}\"/>",
                a1(c.row as u32 + 1, c.col as u32 + 1),
                a1((c.row + c.rowspan) as u32, (c.col + c.colspan) as u32)
            );
        }
        out.push_str("</mergeCells>");
    }
    page_setup(&mut out, t.cols > 4);
    out.push_str("</worksheet>");
    out
}

/// Width of the prose column: the A4 portrait text width at 11 pt.
const PROSE_WIDTH: f64 = 84.0;

/// The prose sheet: title, preamble, each section heading and its paragraphs, one per row
/// in column A, wrapped, each row as high as its text; and the number of rows.
fn prose_sheet(r: &Report, sst: &mut Sst) -> (String, u32) {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr><cols><col min=\"1\" max=\"1\" width=\"{PROSE_WIDTH}\" customWidth=\"1\"/></cols><sheetData>",
    );
    let mut rn = 0u32;
    // A cell holds at most 32,767 characters (Excel's limit); a longer paragraph continues
    // in the rows below.
    let mut line = |out: &mut String, sst: &mut Sst, style: u32, text: &str| {
        let chars: Vec<char> = text.chars().collect();
        for piece in chars.chunks(MAX_CELL_CHARS).map(|p| p.iter().collect::<String>()) {
            rn += 1;
            let pt = match style {
                S_TITLE => 18.0,
                S_HEADING => 12.0,
                _ => 11.0,
            };
            let ht = row_height(wrapped_lines(&piece, PROSE_WIDTH, pt), pt);
            let _ = write!(out, "<row r=\"{rn}\" ht=\"{ht}\" customHeight=\"1\">");
            string_cell(out, sst, rn, 1, style, &piece);
            out.push_str("</row>");
        }
    };
    let title = r.title.as_ref().map_or("政府信息公开工作年度报告", |t| t.value.as_str());
    line(&mut out, sst, S_TITLE, title);
    for p in layout::preamble(r) {
        line(&mut out, sst, S_PROSE, &p.text);
    }
    for id in 1..=6u8 {
        let sec = r.section(id);
        if let Some(h) = layout::heading(r, id) {
            line(&mut out, sst, S_HEADING, h);
        }
        if let Some(s) = sec {
            for p in &s.paras {
                line(&mut out, sst, S_PROSE, &p.text);
            }
        }
    }
    out.push_str("</sheetData>");
    page_setup(&mut out, false);
    out.push_str("</worksheet>");
    (out, rn)
}

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/></numFmts>\
<fonts count=\"4\"><font><sz val=\"11\"/><name val=\"仿宋_GB2312\"/><charset val=\"134\"/></font>\
<font><sz val=\"11\"/><name val=\"黑体\"/><charset val=\"134\"/></font>\
<font><sz val=\"18\"/><name val=\"方正小标宋简体\"/><charset val=\"134\"/></font>\
<font><b/><sz val=\"12\"/><name val=\"黑体\"/><charset val=\"134\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\"><color auto=\"1\"/></right><top style=\"thin\"><color auto=\"1\"/></top><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"10\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"center\" wrapText=\"1\"/></xf>\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"left\" vertical=\"center\" wrapText=\"1\"/></xf>\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"center\"/></xf>\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>\
<xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"center\" wrapText=\"1\"/></xf>\
<xf numFmtId=\"0\" fontId=\"3\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyAlignment=\"1\"><alignment vertical=\"center\" wrapText=\"1\"/></xf>\
<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyNumberFormat=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"top\"/></xf>\
<xf numFmtId=\"1\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyNumberFormat=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"top\"/></xf>\
<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyNumberFormat=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf></cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>";

/// The report as an XLSX file (bytes).
pub fn xlsx(r: &Report) -> Vec<u8> {
    let mut sst = Sst::default();
    let tables = layout::tables(r);
    let (prose, prose_rows) = prose_sheet(r, &mut sst);
    let mut sheets: Vec<(String, String, bool)> = vec![("正文".to_string(), prose, false)];
    // Print areas, and the header rows of 表三 and 表四 repeated on every printed page.
    let mut names = vec![DefinedName::area(0, "正文", prose_rows.max(1), 1)];
    for (i, t) in tables.iter().enumerate() {
        sheets.push((t.name.to_string(), table_sheet(r, t, &mut sst), false));
        names.push(DefinedName::area(i + 1, t.name, t.rows as u32, t.cols as u32));
        if t.header_rows > 0 {
            names.push(DefinedName {
                name: "_xlnm.Print_Titles",
                sheet: i + 1,
                refers: format!("{}!$1:${}", quoted(t.name), t.header_rows),
                hidden: false,
            });
        }
    }
    workbook(&sheets, &sst, &layout::core_props(r), &names)
}

/// A plain one-sheet workbook of text cells: the first row is a header (bold, centred), the
/// rest are data rows (e.g. the application 台账). Every cell is a string, so nothing typed by
/// a clerk is reinterpreted as a number or a date.
pub fn xlsx_rows(sheet: &str, rows: &[Vec<String>]) -> Vec<u8> {
    let mut sst = Sst::default();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let _ = write!(xml, "<row r=\"{r}\">");
        for (j, cell) in row.iter().enumerate() {
            string_cell(&mut xml, &mut sst, r, j as u32 + 1, if i == 0 { S_HEAD } else { S_PROSE }, cell);
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    workbook(&[(sheet.to_string(), xml, false)], &sst, &layout::core_props_for(sheet, None), &[])
}

/// A workbook-level defined name local to one sheet (print area, print titles).
#[derive(Debug)]
pub(crate) struct DefinedName {
    pub name: &'static str,
    /// 0-based sheet index.
    pub sheet: usize,
    pub refers: String,
    pub hidden: bool,
}

impl DefinedName {
    fn area(sheet: usize, name: &str, rows: u32, cols: u32) -> Self {
        let last = a1(rows, cols);
        let (col, row) = last.split_at(last.find(|c: char| c.is_ascii_digit()).unwrap_or(last.len()));
        DefinedName {
            name: "_xlnm.Print_Area",
            sheet,
            refers: format!("{}!$A$1:${col}${row}", quoted(name)),
            hidden: false,
        }
    }
}

/// The workbook package of `sheets` (name, worksheet XML, hidden).
pub(crate) fn workbook(sheets: &[(String, String, bool)], sst: &Sst, core: &str, names: &[DefinedName]) -> Vec<u8> {
    let mut ct = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>",
    );
    let mut wb = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>",
    );
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for (i, (name, _, hidden)) in sheets.iter().enumerate() {
        let n = i + 1;
        let _ = write!(
            ct,
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
        let state = if *hidden { " state=\"hidden\"" } else { "" };
        let _ = write!(wb, "<sheet name=\"{}\" sheetId=\"{n}\"{state} r:id=\"rId{n}\"/>", esc(name));
        let _ = write!(
            rels,
            "<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        );
    }
    let k = sheets.len();
    let _ = write!(
        rels,
        "<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>",
        k + 1,
        k + 2
    );
    ct.push_str(layout::CORE_CT);
    ct.push_str("</Types>");
    // calcPr without fullCalcOnLoad: the cached values are shown as written.
    wb.push_str("</sheets>");
    if !names.is_empty() {
        wb.push_str("<definedNames>");
        for n in names {
            let _ = write!(
                wb,
                "<definedName name=\"{}\" localSheetId=\"{}\"{}>{}</definedName>",
                n.name,
                n.sheet,
                if n.hidden { " hidden=\"1\"" } else { "" },
                esc(&n.refers)
            );
        }
        wb.push_str("</definedNames>");
    }
    wb.push_str("<calcPr calcId=\"191029\"/></workbook>");
    let mut ss = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{}\" uniqueCount=\"{}\">",
        sst.count,
        sst.list.len()
    );
    for s in &sst.list {
        let _ = write!(ss, "<si><t xml:space=\"preserve\">{}</t></si>", esc(s));
    }
    ss.push_str("</sst>");
    let root_rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>";
    let sheet_names: Vec<String> = (1..=sheets.len()).map(|n| format!("xl/worksheets/sheet{n}.xml")).collect();
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", ct.as_bytes()),
        ("_rels/.rels", root_rels.as_bytes()),
        ("xl/workbook.xml", wb.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ("xl/styles.xml", STYLES.as_bytes()),
        ("xl/sharedStrings.xml", ss.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
    ];
    for (i, (_, xml, _)) in sheets.iter().enumerate() {
        parts.push((sheet_names[i].as_str(), xml.as_bytes()));
    }
    write_zip(&parts)
}
