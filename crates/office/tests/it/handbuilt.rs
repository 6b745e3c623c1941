//! Hand-built DOCX and XLSX files exercising what Word and Excel write but the writers of
//! this crate do not: merged cells via `w:gridSpan`/`w:vMerge`, `w:gridBefore`, a text box
//! in the middle of the document (with its `mc:Fallback` copy), a footnote reference,
//! hidden and deleted text, a nested layout table; shared strings with phonetic runs,
//! inline strings, formulas with and without cached values, merged ranges, blank cells.

use std::io::{Cursor, Write};

use gongkai_model::doc::Block;
use gongkai_model::{CellValue, Col, GridPos, T3Row, T4Group, T4Outcome};
use gongkai_office::docx_read::document_to_doc;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in parts {
        z.start_file(*name, o).unwrap();
        z.write_all(data.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" \
xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\" \
xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
xmlns:v=\"urn:schemas-microsoft-com:vml\"><w:body>";

fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

fn tc(text: &str, props: &str) -> String {
    format!("<w:tc><w:tcPr>{props}</w:tcPr>{}</w:tc>", p(text))
}

/// A paragraph anchoring a text box, with the VML fallback copy Word also writes.
fn text_box_para(host: &str, inside: &str) -> String {
    format!(
        "<w:p><w:r><w:t>{host}</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:wsp><wps:txbx>\
<w:txbxContent>{inner}</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>\
<w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>\
<w:r><w:footnoteReference w:id=\"1\"/></w:r></w:p>",
        inner = p(inside)
    )
}

#[test]
fn docx_spans_text_box_and_revisions() {
    // Table: row 1 "A" spans 2 columns + "B" vMerge restart; row 2 "C", "D", B continues;
    // row 3 starts one column in (gridBefore) and holds a text box that must be dropped.
    let table = format!(
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>\
<w:tr>{}{}</w:tr>\
<w:tr>{}{}{}</w:tr>\
<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>{}<w:tc><w:tcPr/>{}</w:tc></w:tr></w:tbl>",
        tc("A", "<w:gridSpan w:val=\"2\"/>"),
        tc("B", "<w:vMerge w:val=\"restart\"/>"),
        tc("C", ""),
        tc("D", ""),
        tc("", "<w:vMerge/>"),
        tc("E", ""),
        text_box_para("F", "框内文字不应进入表格"),
    );
    let body = format!(
        "{HEAD}{}{}\
<w:p><w:r><w:t>可见</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>\
<w:ins><w:r><w:t>插入</w:t></w:r></w:ins><w:r><w:br/><w:t>第二行</w:t></w:r></w:p>\
{table}{}</w:body></w:document>",
        p("标题"),
        text_box_para("正文段落", "文本框段落"),
        p("结尾"),
    );
    let d = document_to_doc(body.as_bytes()).unwrap();
    let paras: Vec<&str> =
        d.doc.blocks.iter().filter_map(|b| if let Block::Para(p) = b { Some(p.text.as_str()) } else { None }).collect();
    // The text box follows its anchor once (the VML fallback copy is skipped); hidden and
    // deleted text are gone; the line break splits the paragraph.
    assert_eq!(paras, ["标题", "正文段落", "文本框段落", "可见插入", "第二行", "结尾"]);
    let grids: Vec<_> =
        d.doc.blocks.iter().filter_map(|b| if let Block::Table(g) = b { Some(g) } else { None }).collect();
    assert_eq!(grids.len(), 1, "the table must stay one table");
    let g = grids[0];
    let text: Vec<Vec<(&str, bool)>> =
        g.rows.iter().map(|r| r.iter().map(|c| (c.text.as_str(), c.spanned)).collect()).collect();
    assert_eq!(
        text,
        vec![
            vec![("A", false), ("A", true), ("B", false)],
            vec![("C", false), ("D", false), ("B", true)],
            vec![("", true), ("E", false), ("F", false)],
        ]
    );
    // Provenance: grid positions, and the copy of B points at B's bytes.
    assert_eq!(g.rows[1][2].src.grid, Some(GridPos { table: 1, row: 2, col: 3 }));
    let b = g.rows[0][2].src;
    assert_eq!((g.rows[1][2].src.start, g.rows[1][2].src.end), (b.start, b.end));
    assert_eq!(&d.text[b.start as usize..b.end as usize], "B");
    assert!(!d.text.contains("框内文字"), "{}", d.text);
}

#[test]
fn docx_layout_frame_is_unwrapped() {
    // A 1×1 frame table holding the heading and a data table: the data table is read as a
    // grid, the frame's paragraphs as prose.
    let inner = format!(
        "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
        tc("行政许可", ""),
        tc("5", ""),
        tc("行政处罚", ""),
        tc("7", "")
    );
    let body = format!(
        "{HEAD}<w:tbl><w:tr><w:tc>{}{inner}</w:tc></w:tr></w:tbl></w:body></w:document>",
        p("二、主动公开政府信息情况")
    );
    let d = document_to_doc(body.as_bytes()).unwrap();
    assert!(matches!(&d.doc.blocks[0], Block::Para(p) if p.text == "二、主动公开政府信息情况"));
    assert!(matches!(&d.doc.blocks[1], Block::Table(g) if g.rows.len() == 2 && g.rows[1][1].text == "7"));
}

fn xlsx_parts(sheet: &str, sst: &str) -> Vec<u8> {
    let wb = "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"表四\" sheetId=\"1\" r:id=\"rId7\"/></sheets></workbook>";
    let rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/data.xml\"/>\
<Relationship Id=\"rId8\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"strings.xml\"/></Relationships>";
    zip_of(&[
        ("[Content_Types].xml", "<Types/>"),
        ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/worksheets/data.xml", sheet),
        ("xl/strings.xml", sst),
    ])
}

#[test]
fn xlsx_cells_formulas_merges_and_a1_provenance() {
    // Table 四 starting at B2: shared strings (one with a phonetic run), an inline string,
    // merged headers, a cached formula, a formula without a cached value, a blank cell.
    let sst = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<si><t>四、政府信息公开行政复议、行政诉讼情况</t></si><si><t>行政复议</t><rPh sb=\"0\" eb=\"2\"><t>XINGZHENG</t></rPh></si>\
<si><r><t>行政</t></r><r><t>诉讼</t></r></si><si><t>结果维持</t></si><si><t>结果纠正</t></si><si><t>其他结果</t></si>\
<si><t>尚未审结</t></si><si><t>总计</t></si><si><t>未经复议直接起诉</t></si><si><t>复议后起诉</t></si></sst>";
    let mut rows = String::new();
    rows.push_str("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>");
    rows.push_str("<row r=\"2\"><c r=\"B2\" t=\"s\"><v>1</v></c><c r=\"G2\" t=\"s\"><v>2</v></c></row>");
    let mut r3 = String::from("<row r=\"3\">");
    for (i, col) in ["B", "C", "D", "E"].iter().enumerate() {
        r3.push_str(&format!("<c r=\"{col}3\" t=\"s\"><v>{}</v></c>", 3 + i));
    }
    r3.push_str("<c r=\"F3\" t=\"inlineStr\"><is><t>总计</t></is></c><c r=\"G3\" t=\"s\"><v>8</v></c><c r=\"L3\" t=\"s\"><v>9</v></c></row>");
    rows.push_str(&r3);
    let mut r4 = String::from("<row r=\"4\">");
    let cols = ["G", "H", "I", "J", "K", "L", "M", "N", "O", "P"];
    for (i, col) in cols.iter().enumerate() {
        r4.push_str(&format!("<c r=\"{col}4\" t=\"s\"><v>{}</v></c>", 3 + i % 5));
    }
    r4.push_str("</row>");
    rows.push_str(&r4);
    // Data: RV = 1,2,0,0,SUM=3 (cached) ; LD = 0,0,0,0, formula without value ;
    // LR = blank, 1, 0, 0, 1.
    rows.push_str(
        "<row r=\"5\"><c r=\"B5\"><v>1</v></c><c r=\"C5\"><v>2</v></c><c r=\"D5\"><v>0</v></c><c r=\"E5\"><v>0</v></c>\
<c r=\"F5\"><f>SUM(B5:E5)</f><v>3</v></c>\
<c r=\"G5\"><v>0</v></c><c r=\"H5\"><v>0</v></c><c r=\"I5\"><v>0</v></c><c r=\"J5\"><v>0</v></c><c r=\"K5\"><f>SUM(G5:J5)</f></c>\
<c r=\"L5\" s=\"3\"/><c r=\"M5\"><v>1</v></c><c r=\"N5\"><v>0</v></c><c r=\"O5\"><v>0.0</v></c><c r=\"P5\" t=\"n\"><v>1</v></c></row>",
    );
    let merges = "<mergeCells><mergeCell ref=\"B2:F2\"/><mergeCell ref=\"G2:P2\"/><mergeCell ref=\"B3:B4\"/><mergeCell ref=\"C3:C4\"/>\
<mergeCell ref=\"D3:D4\"/><mergeCell ref=\"E3:E4\"/><mergeCell ref=\"F3:F4\"/><mergeCell ref=\"G3:K3\"/><mergeCell ref=\"L3:P3\"/></mergeCells>";
    let sheet = format!(
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}</sheetData>{merges}</worksheet>"
    );
    let bytes = xlsx_parts(&sheet, sst);
    let d = gongkai_office::xlsx_read::xlsx_to_doc(&bytes).unwrap();
    assert_eq!(d.sheets, ["表四"]);
    let Some(Block::Table(g)) = d.doc.blocks.iter().find(|b| matches!(b, Block::Table(_))) else {
        panic!("no grid: {:#?}", d.doc.blocks)
    };
    // The heading in A1 is a row of its own; column A has nothing else, so the grid has
    // columns A..P with A kept for the heading.
    let at = |row: u16, col: u16| {
        g.rows.iter().flatten().find(|c| c.src.grid == Some(GridPos { table: 1, row, col })).unwrap()
    };
    let value = |row, col| gongkai_model::Cell::from_raw(&at(row, col).text, None).value;
    use rust_decimal::Decimal;
    assert_eq!(value(5, 6), CellValue::Number(Decimal::from(3)), "cached formula value");
    assert_eq!(value(5, 11), CellValue::Unreadable, "formula without cached value is never 0");
    assert_eq!(value(5, 12), CellValue::Blank, "blank stays blank");
    assert_eq!(value(5, 15), CellValue::Number(Decimal::ZERO));
    assert!(d.warnings.iter().any(|w| w.contains("K5") && w.contains("SUM(G5:J5)")), "{:?}", d.warnings);
    // Merges: G2:P2 copies 行政诉讼 (rich runs joined) into P2, marked as a copy.
    assert_eq!(at(2, 16).text, "行政诉讼");
    assert!(at(2, 16).spanned && !at(2, 7).spanned);
    assert_eq!(at(4, 2).text, "结果维持");
    assert!(at(4, 2).spanned);
    assert_eq!(gongkai_office::a1(5, 13), "M5");
    // The phonetic run is not part of the text.
    assert!(!d.text.contains("XINGZHENG"), "{}", d.text);
    assert_eq!(at(2, 2).text, "行政复议");
}

/// Rewrite one part of a ZIP.
fn patch_zip(bytes: &[u8], part: &str, f: impl Fn(String) -> String) -> Vec<u8> {
    let mut ar = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut parts = Vec::new();
    for i in 0..ar.len() {
        let mut e = ar.by_index(i).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut e, &mut s).unwrap();
        let s = if e.name() == part { f(s) } else { s };
        parts.push((e.name().to_string(), s));
    }
    let refs: Vec<(&str, &str)> = parts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    zip_of(&refs)
}

#[test]
fn xlsx_report_formula_without_cached_value_is_unreadable() {
    let r = gongkai_synth::report(5, &gongkai_synth::SynthOptions::default());
    let bytes = gongkai_office::xlsx(&r);
    // Sheet 4 is 表四; its 行政复议 总计 (E4) is the formula cell of column E, row 4.
    let patched = patch_zip(&bytes, "xl/worksheets/sheet4.xml", |s| {
        let start = s.find("<c r=\"E4\"").expect("E4");
        let end = start + s[start..].find("</c>").unwrap() + 4;
        assert!(s[start..end].contains("<f>SUM(A4:D4)</f>"), "{}", &s[start..end]);
        format!("{}<c r=\"E4\" s=\"3\"><f>SUM(A4:D4)</f></c>{}", &s[..start], &s[end..])
    });
    let p = gongkai_office::parse_xlsx(&patched, None).unwrap();
    assert_eq!(p.report.t4(T4Group::Rv, T4Outcome::Tot).map(|c| &c.value), Some(&CellValue::Unreadable));
    assert!(p.findings.iter().any(|f| f.rule == "P6" && f.message.contains("E4")), "{:#?}", p.findings);
    // The other values are read from their cached values.
    assert_eq!(
        p.report.t4(T4Group::Lr, T4Outcome::Tot).map(|c| &c.value),
        r.t4(T4Group::Lr, T4Outcome::Tot).map(|c| &c.value)
    );
}

#[test]
fn xlsx_number_noise_is_rounded_and_exact_decimals_kept() {
    use gongkai_office::xlsx_read::number_text;
    assert_eq!(number_text("96171.600000000006").as_deref(), Some("96171.6"));
    assert_eq!(number_text("0.30000000000000004").as_deref(), Some("0.3"));
    assert_eq!(number_text("4068.208").as_deref(), Some("4068.208"));
    assert_eq!(number_text("1.5E-3").as_deref(), Some("0.0015"));
    assert_eq!(number_text("12").as_deref(), Some("12"));
    assert_eq!(number_text("abc"), None);
}

#[test]
fn docx_report_table_with_vmerge_reads_into_table3() {
    // A real-looking table 三 fragment written the way Word does it (vMerge on the group
    // label, gridSpan on the top-left note) reads into the right report cells.
    let r = gongkai_synth::report(11, &gongkai_synth::SynthOptions::default());
    let p = gongkai_office::parse_docx(&gongkai_office::docx(&r), None).unwrap();
    for row in [T3Row::R1, T3Row::R3_3_5, T3Row::R3_7] {
        assert_eq!(p.report.t3(row, Col::Tot).map(|c| &c.value), r.t3(row, Col::Tot).map(|c| &c.value), "{row}");
        assert!(p.report.t3(row, Col::Tot).and_then(|c| c.src).and_then(|s| s.grid).is_some());
    }
}

#[test]
fn docx_namespaces_are_resolved_not_guessed_by_prefix() {
    // Another prefix for WordprocessingML (strict namespace), a scoped redeclaration, and a
    // foreign `p`/`t` (DrawingML) that must not be read as a paragraph.
    let xml = "<d:document xmlns:d=\"http://purl.oclc.org/ooxml/wordprocessingml/main\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><d:body>\
<d:p><d:r><d:t>第一段</d:t></d:r></d:p>\
<q:p xmlns:q=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><q:r><q:t>第二段</q:t></q:r></q:p>\
<d:p><d:r><a:p><a:r><a:t>图形文字</a:t></a:r></a:p><d:t>第三段</d:t></d:r></d:p>\
<q:p><q:r><q:t>未声明前缀</q:t></q:r></q:p>\
</d:body></d:document>";
    let d = document_to_doc(xml.as_bytes()).unwrap();
    let paras: Vec<&str> =
        d.doc.blocks.iter().filter_map(|b| if let Block::Para(p) = b { Some(p.text.as_str()) } else { None }).collect();
    assert_eq!(paras, ["第一段", "第二段", "第三段"]);
}

/// All parts of a ZIP as (name, text).
fn unzip_all(bytes: &[u8]) -> Vec<(String, String)> {
    let mut ar = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..ar.len())
        .map(|i| {
            let mut e = ar.by_index(i).unwrap();
            let mut s = String::new();
            std::io::Read::read_to_string(&mut e, &mut s).unwrap();
            (e.name().to_string(), s)
        })
        .collect()
}

const NUMBERING: &str = "<w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:abstractNum w:abstractNumId=\"7\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"%1、\"/></w:lvl>\
<w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"（%2）\"/><w:suff w:val=\"nothing\"/></w:lvl></w:abstractNum>\
<w:abstractNum w:abstractNumId=\"8\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"3\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/></w:lvl></w:abstractNum>\
<w:abstractNum w:abstractNumId=\"9\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"\u{25CF}\"/></w:lvl></w:abstractNum>\
<w:num w:numId=\"1\"><w:abstractNumId w:val=\"7\"/></w:num><w:num w:numId=\"2\"><w:abstractNumId w:val=\"8\"/></w:num>\
<w:num w:numId=\"3\"><w:abstractNumId w:val=\"9\"/></w:num></w:numbering>";

#[test]
fn docx_list_numbering_is_put_back() {
    // Direct numbering: level 0, level 1 twice, level 0 again (level 1 restarts), a decimal
    // list starting at 3, a bullet (no text), numId 0 (numbering switched off).
    let np = |num: u32, lvl: u32, text: &str| {
        format!(
            "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{lvl}\"/><w:numId w:val=\"{num}\"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"
        )
    };
    let body = format!(
        "{HEAD}{}{}{}{}{}{}{}{}</w:body></w:document>",
        np(1, 0, "总体情况"),
        np(1, 1, "主动公开"),
        np(1, 1, "依申请公开"),
        np(1, 0, "主动公开政府信息情况"),
        np(1, 1, "规章"),
        np(2, 0, "第三项"),
        np(3, 0, "要点"),
        np(0, 0, "不编号"),
    );
    let mut n = gongkai_office::numbering::Numbering::read(Some(NUMBERING.as_bytes()), None).unwrap();
    let d = gongkai_office::docx_read::document_to_doc_with(body.as_bytes(), &mut n).unwrap();
    let paras: Vec<&str> =
        d.doc.blocks.iter().filter_map(|b| if let Block::Para(p) = b { Some(p.text.as_str()) } else { None }).collect();
    assert_eq!(
        paras,
        [
            "一、总体情况",
            "（一）主动公开",
            "（二）依申请公开",
            "二、主动公开政府信息情况",
            "（一）规章",
            "3. 第三项",
            "要点",
            "不编号"
        ]
    );
}

#[test]
fn docx_headings_numbered_by_style_read_as_sections() {
    // A generated report whose section headings lose their typed "一、" and get it from the
    // Heading1 style's list numbering instead, as many Word templates do.
    let r = gongkai_synth::report(21, &gongkai_synth::SynthOptions::default());
    let mut parts = unzip_all(&gongkai_office::docx(&r));
    for (name, text) in parts.iter_mut() {
        if name == "word/document.xml" {
            for h in ["一、", "二、", "三、", "四、", "五、", "六、"] {
                *text = text.replace(&format!("<w:t xml:space=\"preserve\">{h}"), "<w:t xml:space=\"preserve\">");
            }
        }
        if name == "word/styles.xml" {
            *text = text.replace(
                "<w:pPr><w:keepNext/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:outlineLvl w:val=\"1\"/>",
                "<w:pPr><w:keepNext/><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:outlineLvl w:val=\"1\"/>",
            );
            assert!(text.contains("<w:numId w:val=\"1\"/>"), "styles.xml layout changed");
        }
    }
    parts.push(("word/numbering.xml".to_string(), NUMBERING.to_string()));
    let refs: Vec<(&str, &str)> = parts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let bytes = zip_of(&refs);
    assert!(!unzip_all(&bytes).iter().any(|(n, t)| n == "word/document.xml" && t.contains(">一、总体情况<")));
    let p = gongkai_office::parse_docx(&bytes, None).unwrap();
    let heads: Vec<(u8, &str)> = p.report.sections.iter().map(|s| (s.id.0, s.heading.as_str())).collect();
    let want: Vec<(u8, &str)> = r.sections.iter().map(|s| (s.id.0, s.heading.as_str())).collect();
    assert_eq!(heads, want);
    for (row, m) in &r.table3 {
        for (c, cell) in m {
            assert_eq!(p.report.t3(*row, *c).map(|x| &x.value), Some(&cell.value), "{row}.{c}");
        }
    }
}

#[test]
fn xlsx_hidden_sheets_are_skipped_with_a_warning() {
    let r = gongkai_synth::report(5, &gongkai_synth::SynthOptions::default());
    let mut parts = unzip_all(&gongkai_office::xlsx(&r));
    for (name, text) in parts.iter_mut() {
        if name == "xl/workbook.xml" {
            // A hidden fifth sheet pointing at a copy of 表三 with other numbers.
            *text = text
                .replace("</sheets>", "<sheet name=\"旧版\" sheetId=\"9\" state=\"hidden\" r:id=\"rId9\"/></sheets>");
        }
        if name == "xl/_rels/workbook.xml.rels" {
            *text = text.replace(
                "</Relationships>",
                "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet3.xml\"/></Relationships>",
            );
        }
    }
    let refs: Vec<(&str, &str)> = parts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let d = gongkai_office::xlsx_read::xlsx_to_doc(&zip_of(&refs)).unwrap();
    assert_eq!(d.sheets, ["正文", "表二", "表三", "表四"]);
    assert!(d.warnings.iter().any(|w| w.contains("旧版") && w.contains("隐藏")), "{:?}", d.warnings);
}

#[test]
fn docx_small_table_inside_a_data_cell_joins_the_cell() {
    let inner = format!("<w:tbl><w:tr>{}{}</w:tr></w:tbl>", tc("商业", ""), tc("企业", ""));
    let body = format!(
        "{HEAD}<w:tbl><w:tr>{}<w:tc><w:tcPr/>{inner}<w:p/></w:tc>{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl></w:body></w:document>",
        tc("信息内容", ""),
        tc("总计", ""),
        tc("行政许可", ""),
        tc("3", ""),
        tc("3", ""),
    );
    let d = document_to_doc(body.as_bytes()).unwrap();
    let grids: Vec<_> =
        d.doc.blocks.iter().filter_map(|b| if let Block::Table(g) = b { Some(g) } else { None }).collect();
    assert_eq!(grids.len(), 1);
    let texts: Vec<Vec<&str>> = grids[0].rows.iter().map(|r| r.iter().map(|c| c.text.as_str()).collect()).collect();
    assert_eq!(texts, vec![vec!["信息内容", "商业企业", "总计"], vec!["行政许可", "3", "3"]]);
}

#[test]
fn xlsx_one_sheet_report_splits_prose_rows_and_trims_table_columns() {
    // A report laid out in one sheet (as Calc imports an HTML page): prose merged across all
    // six columns; a two-column table below uses only A:B, the other columns are present
    // but empty. The prose becomes paragraphs and the table keeps two columns, so no blank
    // values appear after its numbers.
    let cells = |r: u32, texts: &[&str]| {
        let mut s = format!("<row r=\"{r}\">");
        for (i, t) in texts.iter().enumerate() {
            let col = (b'A' + i as u8) as char;
            if t.is_empty() {
                s.push_str(&format!("<c r=\"{col}{r}\"/>"));
            } else {
                s.push_str(&format!("<c r=\"{col}{r}\" t=\"inlineStr\"><is><t>{t}</t></is></c>"));
            }
        }
        s + "</row>"
    };
    let sheet = format!(
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{}{}{}{}{}</sheetData>\
<mergeCells><mergeCell ref=\"A1:F1\"/><mergeCell ref=\"A2:F2\"/><mergeCell ref=\"A5:F5\"/></mergeCells></worksheet>",
        cells(1, &["2023年某局政府信息公开工作年度报告", "", "", "", "", ""]),
        cells(2, &["一、总体情况", "", "", "", "", ""]),
        cells(3, &["行政许可", "5", "", "", "", ""]),
        cells(4, &["行政处罚", "7", "", "", "", ""]),
        cells(
            5,
            &["本年度，我局认真贯彻落实《中华人民共和国政府信息公开条例》，持续推进政务公开。", "", "", "", "", "x"]
        ),
    );
    let bytes = xlsx_parts(&sheet, "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"/>");
    let d = gongkai_office::xlsx_read::xlsx_to_doc(&bytes).unwrap();
    let shape: Vec<String> = d
        .doc
        .blocks
        .iter()
        .map(|b| match b {
            Block::Para(p) => format!("P:{}", p.text),
            Block::Table(g) => format!("T:{}x{}", g.rows.len(), g.rows.iter().map(Vec::len).max().unwrap_or(0)),
        })
        .collect();
    // F5 lies inside the merge A5:F5, so Excel hides its "x": row 5 is prose.
    assert_eq!(
        shape,
        [
            "P:2023年某局政府信息公开工作年度报告",
            "P:一、总体情况",
            "T:2x2",
            "P:本年度，我局认真贯彻落实《中华人民共和国政府信息公开条例》，持续推进政务公开。"
        ]
    );
    // A single text cell merged over only two of six columns is a table row, not prose.
    let narrow = sheet.replace("<mergeCell ref=\"A5:F5\"/>", "<mergeCell ref=\"A5:B5\"/>");
    let d = gongkai_office::xlsx_read::xlsx_to_doc(&xlsx_parts(&narrow, "<sst/>")).unwrap();
    assert!(matches!(d.doc.blocks.last(), Some(Block::Table(g)) if g.rows.len() == 3), "{:#?}", d.doc.blocks.last());
}

#[test]
fn xlsx_without_prose_takes_title_year_and_organ_from_the_file_properties() {
    // Only the three table sheets (no 正文): the title comes from docProps/core.xml.
    let r = gongkai_synth::report(8, &gongkai_synth::SynthOptions::default());
    let mut parts = unzip_all(&gongkai_office::xlsx(&r));
    for (name, text) in parts.iter_mut() {
        if name == "xl/workbook.xml" {
            *text = text.replace("<sheet name=\"正文\" sheetId=\"1\" r:id=\"rId1\"/>", "");
        }
    }
    let core = parts.iter().find(|(n, _)| n == "docProps/core.xml").map(|(_, t)| t.clone()).unwrap();
    let title = r.title.as_ref().unwrap().value.clone();
    assert!(core.contains(&format!("<dc:title>{title}</dc:title>")), "{core}");
    let refs: Vec<(&str, &str)> = parts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let p = gongkai_office::parse_xlsx(&zip_of(&refs), None).unwrap();
    assert!(p.report.sections.is_empty());
    assert_eq!(p.report.title.as_ref().map(|t| t.value.as_str()), Some(title.as_str()));
    assert_eq!(p.report.year.as_ref().map(|y| y.value), r.year.as_ref().map(|y| y.value));
    assert_eq!(p.report.table3.len(), r.table3.len());
}
