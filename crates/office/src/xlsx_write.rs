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
use crate::layout::{self, DataRef, Kind, Table, value};
use crate::xml::esc;

/// Most characters Excel accepts in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Style indexes in `styles.xml` (cellXfs).
const S_HEAD: u32 = 1;
const S_LABEL: u32 = 2;
const S_DATA: u32 = 3;
const S_PROSE: u32 = 4;
const S_TITLE: u32 = 5;
const S_HEADING: u32 = 6;

/// Shared string table.
#[derive(Debug, Default)]
struct Sst {
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

fn string_cell(out: &mut String, sst: &mut Sst, r: u32, c: u32, style: u32, text: &str) {
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
    let widths: Vec<f64> = match t.cols {
        4 => vec![22.0, 16.0, 16.0, 16.0],
        10 => [6.0, 14.0, 34.0].into_iter().chain(std::iter::repeat_n(9.0, 7)).collect(),
        n => vec![9.0; n],
    };
    for (i, w) in widths.iter().enumerate() {
        let _ = write!(out, "<col min=\"{0}\" max=\"{0}\" width=\"{w}\" customWidth=\"1\"/>", i + 1);
    }
    out.push_str("</cols><sheetData>");
    let cover = t.covering();
    for (ri, row) in cover.iter().enumerate() {
        let rn = ri as u32 + 1;
        let _ = write!(out, "<row r=\"{rn}\">");
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
    let orient = if t.cols > 4 { "landscape" } else { "portrait" };
    let _ = write!(
        out,
        "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
<pageSetup paperSize=\"9\" orientation=\"{orient}\" fitToWidth=\"1\" fitToHeight=\"0\"/></worksheet>"
    );
    out
}

/// The prose sheet: title, preamble, each section heading and its paragraphs, one per row
/// in column A.
fn prose_sheet(r: &Report, sst: &mut Sst) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<cols><col min=\"1\" max=\"1\" width=\"110\" customWidth=\"1\"/></cols><sheetData>",
    );
    let mut rn = 0u32;
    // A cell holds at most 32,767 characters (Excel's limit); a longer paragraph continues
    // in the rows below.
    let mut line = |out: &mut String, sst: &mut Sst, style: u32, text: &str| {
        let chars: Vec<char> = text.chars().collect();
        for piece in chars.chunks(MAX_CELL_CHARS).map(|p| p.iter().collect::<String>()) {
            rn += 1;
            let _ = write!(out, "<row r=\"{rn}\">");
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
    out.push_str(
        "</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>\
<pageSetup paperSize=\"9\"/></worksheet>",
    );
    out
}

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<fonts count=\"4\"><font><sz val=\"11\"/><name val=\"仿宋_GB2312\"/><charset val=\"134\"/></font>\
<font><sz val=\"11\"/><name val=\"黑体\"/><charset val=\"134\"/></font>\
<font><sz val=\"18\"/><name val=\"方正小标宋简体\"/><charset val=\"134\"/></font>\
<font><b/><sz val=\"12\"/><name val=\"黑体\"/><charset val=\"134\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\"><color auto=\"1\"/></right><top style=\"thin\"><color auto=\"1\"/></top><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"7\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"center\" wrapText=\"1\"/></xf>\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"left\" vertical=\"center\" wrapText=\"1\"/></xf>\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"center\"/></xf>\
<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>\
<xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"center\" wrapText=\"1\"/></xf>\
<xf numFmtId=\"0\" fontId=\"3\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>";

/// The report as an XLSX file (bytes).
pub fn xlsx(r: &Report) -> Vec<u8> {
    let mut sst = Sst::default();
    let tables = layout::tables(r);
    let mut sheets: Vec<(String, String)> = vec![("正文".to_string(), prose_sheet(r, &mut sst))];
    for t in &tables {
        sheets.push((t.name.to_string(), table_sheet(r, t, &mut sst)));
    }
    workbook(&sheets, &sst, &layout::core_props(r))
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
    workbook(&[(sheet.to_string(), xml)], &sst, &layout::core_props_for(sheet, None))
}

fn workbook(sheets: &[(String, String)], sst: &Sst, core: &str) -> Vec<u8> {
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
    for (i, (name, _)) in sheets.iter().enumerate() {
        let n = i + 1;
        let _ = write!(
            ct,
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
        let _ = write!(wb, "<sheet name=\"{}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>", esc(name));
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
    wb.push_str("</sheets><calcPr calcId=\"191029\"/></workbook>");
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
    for (i, (_, xml)) in sheets.iter().enumerate() {
        parts.push((sheet_names[i].as_str(), xml.as_bytes()));
    }
    write_zip(&parts)
}
