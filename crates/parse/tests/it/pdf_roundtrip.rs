//! Property test for the PDF path: generated reports laid out as PDF pages, read back through
//! poppler's `pdftotext -layout` (crate gongkai-pdf) and the text parser, give the same tables,
//! title, organ, year, format and section headings. Prose is wrapped to the page width, as in
//! real PDFs, so paragraph boundaries are not compared (a PDF does not keep them).
//!
//! The PDF writer below exists for this test only. It writes A4 pages of positioned text runs
//! in a Type0 font with Identity-H encoding, where each character's CID is its Unicode code
//! point and a ToUnicode CMap says so. That is all text extraction needs; no font program is
//! embedded. It is written here because no crate in the vetted stack writes such PDFs without
//! pulling in a font.

use gongkai_model::{FormatVersion, Report};
use gongkai_render::TextShape;
use gongkai_synth::{SynthOptions, report};
use proptest::prelude::*;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const SIZE: f32 = 10.5;
const LEADING: f32 = 16.0;

/// One line: text runs at x positions (points from the left edge).
type Line = Vec<(f32, String)>;

fn hex(s: &str) -> String {
    s.chars().filter(|c| (*c as u32) <= 0xFFFF).map(|c| format!("{:04X}", c as u32)).collect()
}

fn to_unicode_cmap() -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // bfrange entries may differ only in the last byte: one range per high byte.
    for chunk in (0u32..256).collect::<Vec<_>>().chunks(100) {
        s.push_str(&format!("{} beginbfrange\n", chunk.len()));
        for hi in chunk {
            s.push_str(&format!("<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>\n"));
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// Write `pages` (lines top to bottom) as a PDF file.
fn pdf(pages: &[Vec<Line>]) -> Vec<u8> {
    // Objects: 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 descriptor, 6 ToUnicode,
    // then per page: a page object and its content stream.
    let mut objs: Vec<Vec<u8>> = Vec::new();
    let page_ids: Vec<usize> = (0..pages.len()).map(|i| 7 + 2 * i).collect();
    objs.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = page_ids.iter().map(|i| format!("{i} 0 R")).collect();
    objs.push(format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes());
    objs.push(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>"
            .to_vec(),
    );
    objs.push(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /W [32 126 500] /CIDToGIDMap /Identity >>"
            .to_vec(),
    );
    objs.push(
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>"
            .to_vec(),
    );
    let cmap = to_unicode_cmap();
    objs.push(format!("<< /Length {} >>\nstream\n{cmap}endstream", cmap.len()).into_bytes());
    for (i, lines) in pages.iter().enumerate() {
        let mut content = String::from("BT\n");
        for (k, line) in lines.iter().enumerate() {
            let y = PAGE_H - MARGIN - LEADING * (k as f32 + 1.0);
            for (x, text) in line {
                content.push_str(&format!("/F1 {SIZE} Tf 1 0 0 1 {x:.1} {y:.1} Tm <{}> Tj\n", hex(text)));
            }
        }
        content.push_str("ET\n");
        objs.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                page_ids[i] + 1
            )
            .into_bytes(),
        );
        objs.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()).into_bytes());
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objs.len() + 1).as_bytes(),
    );
    out
}

fn width(s: &str) -> f32 {
    s.chars().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum::<f32>() * SIZE
}

/// Lay the report's text out on pages: table rows put their values in fixed columns right of
/// the label, prose wraps at the right margin.
fn layout(r: &Report) -> Vec<Vec<Line>> {
    let text = gongkai_render::text(r, TextShape::Lines);
    let max = PAGE_W - 2.0 * MARGIN;
    let mut lines: Vec<Line> = Vec::new();
    for raw in text.lines() {
        let toks: Vec<&str> = raw.split(' ').filter(|t| !t.is_empty()).collect();
        let is_value = |t: &str| t == "-" || t.parse::<f64>().is_ok();
        let values = toks.iter().rev().take_while(|t| is_value(t)).count();
        if values > 0 && values < toks.len() {
            // A table row: the label (possibly wrapped onto several lines, as in real PDFs,
            // with the values on its first line), then one column per value.
            let label = toks[..toks.len() - values].join(" ");
            let label_w = 300.0 - MARGIN - 8.0;
            let mut first = true;
            for part in wrap(&label, label_w) {
                let mut line: Line = vec![(MARGIN, part)];
                if first {
                    for (k, v) in toks[toks.len() - values..].iter().enumerate() {
                        line.push((300.0 + 24.0 * k as f32, (*v).to_string()));
                    }
                    first = false;
                }
                lines.push(line);
            }
        } else {
            for part in wrap(raw, max) {
                lines.push(vec![(MARGIN, part)]);
            }
        }
    }
    let per_page = ((PAGE_H - 2.0 * MARGIN) / LEADING) as usize;
    lines.chunks(per_page).map(<[Line]>::to_vec).collect()
}

fn wrap(s: &str, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if width(&cur) + width(&c.to_string()) > max && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

#[derive(Debug, PartialEq)]
struct Data {
    title: Option<String>,
    organ: Option<String>,
    year: Option<i32>,
    format: FormatVersion,
    headings: Vec<u8>,
    cells: Vec<(String, Option<String>)>,
}

fn data(r: &Report) -> Data {
    let cells = r.cell_values();
    Data {
        title: r.title.as_ref().map(|t| t.value.clone()),
        organ: r.organ.as_ref().map(|t| t.value.clone()),
        year: r.year.as_ref().map(|t| t.value),
        format: r.format,
        headings: r.sections.iter().map(|s| s.id.0).collect(),
        cells,
    }
}

fn format_strategy() -> impl Strategy<Value = FormatVersion> {
    prop_oneof![Just(FormatVersion::F2021), Just(FormatVersion::F2019)]
}

proptest! {
    // Each case starts pdftotext; 32 cases keep the test under a few seconds.
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn pdf_parses_back_to_the_same_tables(seed in any::<u64>(), format in format_strategy()) {
        if !gongkai_pdf::available() {
            // CI installs poppler-utils (.ci/run); elsewhere say why nothing was checked.
            eprintln!("pdftotext 不可用（apt-get install poppler-utils），PDF 往返测试跳过");
            return Ok(());
        }
        let original = report(seed, &SynthOptions { format, target_bytes: 3_000 });
        let bytes = pdf(&layout(&original));
        let text = gongkai_pdf::pdf_to_text(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parsed = gongkai_parse::parse_pdf_text(&text, bytes.len(), None);
        let problems: Vec<_> = parsed.findings.iter().filter(|f| f.rule != "P4").collect();
        prop_assert!(problems.is_empty(), "parse findings {:?}\n{}", problems, text);
        prop_assert_eq!(parsed.report.source.kind.as_str(), "pdf");
        let (a, b) = (data(&original), data(&parsed.report));
        prop_assert_eq!(a, b, "{}", text);
        // Nothing to report on a valid generated report.
        let errors: Vec<_> = gongkai_rules::check(&parsed.report).into_iter().filter(|f| f.severity == gongkai_model::Severity::Error).collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }
}
