//! Report → DOCX in the official layout, following the GB/T 9704-2012 conventions of
//! SPEC §7.4: A4 paper; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心
//! 156 × 225 mm); title in 方正小标宋简体 2号 centred; body 仿宋_GB2312 3号, paragraphs
//! indented two characters; level-1 headings (`一、`) 黑体, level-2 (`（一）`) 楷体_GB2312;
//! fixed line spacing 28 pt (22 lines a page); page numbers `— N —` in 4号 宋体, odd pages
//! right and even pages left. Tables fit the 156 mm text width and carry the template's row
//! and column spans of the report's own format (2021 or 2019).
//!
//! Every part is written here ([Content_Types].xml, relationships, document, styles,
//! settings, footers) and zipped in memory. Output is deterministic.

use std::fmt::Write;

use gongkai_model::Report;
use gongkai_model::normalize::chinese_numeral;

use crate::archive::write_zip;
use crate::layout::{self, Kind, Table};
use crate::xml::esc;

/// Twips (1/1440 inch) per millimetre.
fn mm(x: f64) -> u32 {
    (x * 1440.0 / 25.4).round() as u32
}

/// A4 and the GB/T 9704 margins (SPEC §7.4).
const PAGE_W_MM: f64 = 210.0;
const PAGE_H_MM: f64 = 297.0;
const TOP_MM: f64 = 37.0;
const BOTTOM_MM: f64 = 35.0;
const LEFT_MM: f64 = 28.0;
const RIGHT_MM: f64 = 26.0;

/// Width of the text block (版心) in twips: 156 mm.
pub fn text_width() -> u32 {
    mm(PAGE_W_MM - LEFT_MM - RIGHT_MM)
}

/// Font sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt, 五号 10.5 pt, 小五 9 pt.
const SZ_2HAO: u32 = 44;
const SZ_3HAO: u32 = 32;
const SZ_4HAO: u32 = 28;
const SZ_5HAO: u32 = 21;
const SZ_XIAO5: u32 = 18;

const F_TITLE: &str = "方正小标宋简体";
const F_BODY: &str = "仿宋_GB2312";
const F_H1: &str = "黑体";
const F_H2: &str = "楷体_GB2312";
const F_PAGE: &str = "宋体";

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn fonts(name: &str) -> String {
    format!("<w:rFonts w:ascii=\"{name}\" w:eastAsia=\"{name}\" w:hAnsi=\"{name}\" w:cs=\"{name}\"/>")
}

/// Text as runs: TABs become `w:tab`.
fn runs(out: &mut String, text: &str, rpr: &str) {
    for (i, part) in text.split('\t').enumerate() {
        if i > 0 {
            let _ = write!(out, "<w:r>{rpr}<w:tab/></w:r>");
        }
        if !part.is_empty() {
            let _ = write!(out, "<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>", esc(part));
        }
    }
}

fn para(out: &mut String, style: &str, text: &str) {
    let _ = write!(out, "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>");
    runs(out, text, "");
    out.push_str("</w:p>");
}

/// Length in bytes of a leading `（一）`-style level-2 heading number, if any.
fn level2_number(t: &str) -> Option<usize> {
    let rest = t.strip_prefix('（').or_else(|| t.strip_prefix('('))?;
    let close = rest.find(['）', ')'])?;
    let num = &rest[..close];
    if num.is_empty() || chinese_numeral(num).is_none() {
        return None;
    }
    let close_len = rest[close..].chars().next().map_or(0, char::len_utf8);
    Some(t.len() - rest.len() + close + close_len)
}

/// A body paragraph. A level-2 heading (`（一）主动公开`) is set in 楷体: the whole line when
/// it is short, otherwise its first sentence (the run-in heading usual in reports).
fn body_para(out: &mut String, text: &str) {
    body_para_with(out, text, "");
}

/// [`body_para`] with extra paragraph properties (`w:keepNext` …, in schema order after the
/// style).
fn body_para_with(out: &mut String, text: &str, ppr: &str) {
    let _ = write!(out, "<w:p><w:pPr><w:pStyle w:val=\"BodyText\"/>{ppr}</w:pPr>");
    let mut rest = text;
    if level2_number(text).is_some() {
        let cut = if text.chars().count() <= 30 {
            Some(text.len())
        } else {
            text.find('。').map(|i| i + '。'.len_utf8()).filter(|i| text[..*i].chars().count() <= 30)
        };
        if let Some(cut) = cut {
            let rpr = format!("<w:rPr>{}</w:rPr>", fonts(F_H2));
            runs(out, &text[..cut], &rpr);
            rest = &text[cut..];
        }
    }
    runs(out, rest, "");
    out.push_str("</w:p>");
}

/// Column widths (twips) of a table, filling the text width exactly.
fn grid_cols(t: &Table) -> Vec<u32> {
    let w = text_width();
    let mut cols: Vec<u32> = match t.cols {
        // 表二: label column wider.
        4 => vec![w - 3 * 2000, 2000, 2000, 2000],
        // 表三: three label columns, seven value columns.
        10 => {
            let labels = [900u32, 1500, 2400];
            let v = (w - labels.iter().sum::<u32>()) / 7;
            labels.iter().copied().chain(std::iter::repeat_n(v, 7)).collect()
        }
        n => vec![w / n as u32; n],
    };
    let sum: u32 = cols.iter().sum();
    if let Some(last) = cols.last_mut() {
        *last += w.saturating_sub(sum);
    }
    cols
}

/// The longest run of rows under one merged label that is kept on one page (table 三's
/// largest group, （三）不予公开, has eight).
const MAX_KEPT_GROUP: usize = 8;

fn table(out: &mut String, t: &Table) {
    let cols = grid_cols(t);
    let sz = if t.cols > 4 { SZ_XIAO5 } else { SZ_5HAO };
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>\
<w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/></w:tblBorders>\
<w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar>\
<w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid>",
        text_width()
    );
    for w in &cols {
        let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
    }
    out.push_str("</w:tblGrid>");
    let cover = t.covering();
    let header_only: Vec<bool> = (0..t.rows).map(|r| t.is_header_row(r)).collect();
    // A group (`（三）不予公开` and its eight rows) is kept on one page: a vertically merged
    // label prints only on the page where the merge starts, so rows carried over to the next
    // page would stand without it. Every row of a group but its last keeps with the next.
    // (三、本年度办理结果, spanning all the result rows, is longer than a group and may break.)
    let in_group: Vec<bool> = (0..t.rows)
        .map(|r| {
            t.cells.iter().any(|c| {
                c.kind == Kind::RowHead
                    && (2..=MAX_KEPT_GROUP).contains(&c.rowspan)
                    && c.row <= r
                    && r + 1 < c.row + c.rowspan
            })
        })
        .collect();
    for (r, row) in cover.iter().enumerate() {
        // Rows at least 6.5 mm high so the small table type has air around it.
        out.push_str("<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val=\"368\" w:hRule=\"atLeast\"/>");
        if r < t.header_rows {
            out.push_str("<w:tblHeader/>");
        }
        out.push_str("</w:trPr>");
        let mut k = 0;
        while k < t.cols {
            let Some((ci, starts)) = row[k] else {
                // A hole in the layout: an empty cell keeps the row complete.
                let _ = write!(out, "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/></w:tcPr><w:p/></w:tc>", cols[k]);
                k += 1;
                continue;
            };
            let c = &t.cells[ci];
            if c.col != k {
                k += 1;
                continue;
            }
            let w: u32 = cols[c.col..(c.col + c.colspan).min(t.cols)].iter().sum();
            let _ = write!(out, "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>");
            if c.colspan > 1 {
                let _ = write!(out, "<w:gridSpan w:val=\"{}\"/>", c.colspan);
            }
            if c.rowspan > 1 {
                out.push_str(if starts { "<w:vMerge w:val=\"restart\"/>" } else { "<w:vMerge/>" });
            }
            out.push_str("<w:vAlign w:val=\"center\"/></w:tcPr>");
            let jc = if matches!(c.kind, Kind::RowHead | Kind::Note) { "left" } else { "center" };
            // Header and caption rows keep with the next row, so no page ends on a header; a
            // small table (表四) is kept whole. Long tables may break between data rows: the
            // repeated header rows (w:tblHeader) label the continuation.
            let keep =
                if r + 1 < t.rows && (header_only[r] || in_group[r] || t.rows <= 6) { "<w:keepNext/>" } else { "" };
            let _ = write!(out, "<w:p><w:pPr><w:pStyle w:val=\"TableText\"/>{keep}<w:jc w:val=\"{jc}\"/></w:pPr>");
            if starts && !c.text.is_empty() {
                let font = if matches!(c.kind, Kind::ColHead | Kind::Caption) { fonts(F_H1) } else { String::new() };
                let rpr = format!("<w:rPr>{font}<w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/></w:rPr>");
                runs(out, &c.text, &rpr);
            }
            out.push_str("</w:p></w:tc>");
            k = c.col + c.colspan;
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

fn document_xml(r: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>"
    );
    let title = r.title.as_ref().map_or("政府信息公开工作年度报告", |t| t.value.as_str());
    para(&mut out, "Title", title);
    for p in layout::preamble(r) {
        body_para(&mut out, &p.text);
    }
    let [t2, t3, t4] = layout::tables(r);
    for id in 1..=6u8 {
        let sec = r.section(id);
        if let Some(h) = layout::heading(r, id) {
            para(&mut out, "Heading1", h);
        }
        match id {
            2 if !r.table2.is_empty() => table(&mut out, &t2),
            3 if !r.table3.is_empty() => table(&mut out, &t3),
            4 if !r.table4.is_empty() => table(&mut out, &t4),
            _ => {}
        }
        if let Some(s) = sec {
            for p in &s.paras {
                body_para(&mut out, &p.text);
            }
        }
    }
    out.push_str(&sect_pr());
    out.push_str("</w:body></w:document>");
    out
}

/// Page setup of every document: A4, the GB/T 9704 margins, 28 pt line grid, page numbers.
fn sect_pr() -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId3\"/><w:footerReference w:type=\"even\" r:id=\"rId4\"/>\
<w:pgSz w:w=\"{}\" w:h=\"{}\"/><w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"851\" w:footer=\"{}\" w:gutter=\"0\"/>\
<w:docGrid w:type=\"lines\" w:linePitch=\"560\"/></w:sectPr>",
        mm(PAGE_W_MM),
        mm(PAGE_H_MM),
        mm(TOP_MM),
        mm(RIGHT_MM),
        mm(BOTTOM_MM),
        mm(LEFT_MM),
        // Page number 7 mm below the text block (SPEC §7.4): footer bottom ≈ 35 − 7 − 5 mm.
        mm(23.0)
    );
    out
}

fn styles_xml() -> String {
    let body_ind = "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"{W_NS}\">\
<w:docDefaults><w:rPrDefault><w:rPr>{body}<w:color w:val=\"000000\"/><w:kern w:val=\"2\"/><w:sz w:val=\"{SZ_3HAO}\"/><w:szCs w:val=\"{SZ_3HAO}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"560\" w:lineRule=\"exact\"/><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"BodyText\"><w:name w:val=\"Body Text\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>{body_ind}</w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"BodyText\"/><w:qFormat/>\
<w:pPr><w:keepNext/><w:spacing w:before=\"0\" w:after=\"560\" w:line=\"700\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr>{title}<w:sz w:val=\"{SZ_2HAO}\"/><w:szCs w:val=\"{SZ_2HAO}\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"BodyText\"/><w:qFormat/>\
<w:pPr><w:keepNext/>{body_ind}<w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr>{h1}</w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"BodyText\"/><w:qFormat/>\
<w:pPr><w:keepNext/>{body_ind}<w:outlineLvl w:val=\"2\"/></w:pPr><w:rPr>{h2}</w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:sz w:val=\"{SZ_5HAO}\"/><w:szCs w:val=\"{SZ_5HAO}\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:rPr>{page}<w:sz w:val=\"{SZ_4HAO}\"/><w:szCs w:val=\"{SZ_4HAO}\"/></w:rPr></w:style>\
</w:styles>",
        body = fonts(F_BODY),
        title = fonts(F_TITLE),
        h1 = fonts(F_H1),
        h2 = fonts(F_H2),
        page = fonts(F_PAGE),
    )
}

/// Page number `— N —` in 4号 宋体; odd pages right with one character in, even pages left
/// with one character in (SPEC §7.4).
fn footer_xml(odd: bool) -> String {
    let (jc, ind) = if odd { ("right", "w:right=\"280\"") } else { ("left", "w:left=\"280\"") };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">\
<w:p><w:pPr><w:pStyle w:val=\"Footer\"/><w:ind {ind}/><w:jc w:val=\"{jc}\"/></w:pPr>\
<w:r><w:t xml:space=\"preserve\">— </w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

const DOC_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>\
<Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>\
</Relationships>";

/// The font table: for each official font, the usual alternative name (`w:altName`, which
/// Word, WPS and LibreOffice try when the font itself is absent: 仿宋_GB2312 → 仿宋, 楷体_GB2312
/// → 楷体, 方正小标宋简体 → 宋体, 黑体 → SimHei, 宋体 → SimSun), the GB2312 character set, and its
/// class (`w:family`: roman for the serif faces 仿宋, 楷体, 宋体 and 小标宋, swiss for 黑体), so
/// that an office suite without either name substitutes a serif CJK face for the serif ones
/// rather than a sans-serif.
const FONT_TABLE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:font w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\"/><w:panose1 w:val=\"02010609030101010101\"/><w:charset w:val=\"86\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"fixed\"/></w:font>\
<w:font w:name=\"仿宋\"><w:altName w:val=\"FangSong\"/><w:panose1 w:val=\"02010609060101010101\"/><w:charset w:val=\"86\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"fixed\"/></w:font>\
<w:font w:name=\"楷体_GB2312\"><w:altName w:val=\"楷体\"/><w:panose1 w:val=\"02010609030101010101\"/><w:charset w:val=\"86\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"fixed\"/></w:font>\
<w:font w:name=\"楷体\"><w:altName w:val=\"KaiTi\"/><w:panose1 w:val=\"02010609060101010101\"/><w:charset w:val=\"86\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"fixed\"/></w:font>\
<w:font w:name=\"方正小标宋简体\"><w:altName w:val=\"宋体\"/><w:panose1 w:val=\"02010600030101010101\"/><w:charset w:val=\"86\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font>\
<w:font w:name=\"宋体\"><w:altName w:val=\"SimSun\"/><w:panose1 w:val=\"02010600030101010101\"/><w:charset w:val=\"86\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font>\
<w:font w:name=\"黑体\"><w:altName w:val=\"SimHei\"/><w:panose1 w:val=\"02010609060101010101\"/><w:charset w:val=\"86\"/><w:family w:val=\"swiss\"/><w:pitch w:val=\"fixed\"/></w:font>\
</w:fonts>";

/// Children in the order of the schema's sequence (CT_Settings), which Word enforces.
fn settings_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"{W_NS}\">\
<w:defaultTabStop w:val=\"640\"/><w:evenAndOddHeaders/><w:characterSpacingControl w:val=\"compressPunctuation\"/></w:settings>"
    )
}

/// The report as a DOCX file (bytes).
pub fn docx(r: &Report) -> Vec<u8> {
    package(&document_xml(r), &layout::core_props(r))
}

/// A letter or notice (答复书, 告知书 …) as a DOCX file in the same GB/T 9704 body layout as
/// reports: title in 小标宋 2号 centred, the document number centred below it, the addressee
/// flush left (主送), body paragraphs in 仿宋 3号 indented two characters, then the signing organ
/// and the date right-aligned four characters in.
pub fn docx_letter(
    title: &str,
    number: &str,
    addressee: &str,
    paragraphs: &[String],
    signature: &str,
    date: &str,
) -> Vec<u8> {
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>"
    );
    para(&mut out, "Title", title);
    let aligned = |out: &mut String, jc: &str, ind: &str, text: &str| {
        let _ = write!(out, "<w:p><w:pPr>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>");
        runs(out, text, "");
        out.push_str("</w:p>");
    };
    aligned(&mut out, "center", "", number);
    out.push_str("<w:p/>");
    aligned(&mut out, "left", "", addressee);
    // The closing block stays on one page with the last body paragraph (GB/T 9704: the
    // signature and date never stand alone on a page): that paragraph, the blank lines and the
    // signature keep with the next paragraph and none of them splits.
    const KEEP: &str = "<w:keepNext/><w:keepLines/>";
    let last = paragraphs.len().saturating_sub(1);
    for (i, p) in paragraphs.iter().enumerate() {
        if i == last {
            body_para_with(&mut out, p, KEEP);
        } else {
            body_para(&mut out, p);
        }
    }
    let _ = write!(out, "<w:p><w:pPr>{KEEP}</w:pPr></w:p><w:p><w:pPr>{KEEP}</w:pPr></w:p>");
    let right = "<w:ind w:right=\"1280\"/>";
    aligned(&mut out, "right", &format!("{KEEP}{right}"), signature);
    aligned(&mut out, "right", &format!("<w:keepLines/>{right}"), date);
    out.push_str(&sect_pr());
    out.push_str("</w:body></w:document>");
    package(&out, &layout::core_props_for(title, Some(signature)))
}

fn package(document: &str, core: &str) -> Vec<u8> {
    let styles = styles_xml();
    let settings = settings_xml();
    let (f1, f2) = (footer_xml(true), footer_xml(false));
    write_zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("word/_rels/document.xml.rels", DOC_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", styles.as_bytes()),
        ("word/settings.xml", settings.as_bytes()),
        ("word/fontTable.xml", FONT_TABLE.as_bytes()),
        ("word/footer1.xml", f1.as_bytes()),
        ("word/footer2.xml", f2.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
    ])
}
