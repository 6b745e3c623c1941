//! Hostile inputs: every case returns a clear error naming the problem — never a panic —
//! in bounded memory and time. Each hostile file is built here.

use std::io::{Cursor, Write};

use gongkai_office::{OfficeError, parse_bytes, parse_docx, parse_xlsx};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in parts {
        z.start_file(*name, o).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn docx_with(document: &[u8]) -> Vec<u8> {
    zip_of(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", document)])
}

/// An entry of `n` bytes written in chunks (the test never holds it whole).
fn zip_with_big_entry(name: &str, n: usize, prefix: &[u8]) -> Vec<u8> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).large_file(true);
    z.start_file(name, o).unwrap();
    z.write_all(prefix).unwrap();
    let chunk = vec![b' '; 1 << 20];
    let mut left = n - prefix.len();
    while left > 0 {
        let k = left.min(chunk.len());
        z.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    z.finish().unwrap().into_inner()
}

fn message(e: &OfficeError) -> String {
    e.to_string()
}

#[test]
fn zip_bomb_single_entry_is_refused() {
    // 40 MiB of spaces deflate to ~40 KB: over the 32 MiB per-entry cap.
    let bomb = zip_with_big_entry("word/document.xml", 40 << 20, b"<w:document>");
    assert!(bomb.len() < 1 << 20, "compressed {} bytes", bomb.len());
    let e = parse_docx(&bomb, None).unwrap_err();
    assert!(matches!(e, OfficeError::EntryTooLarge(..)), "{e:?}");
    assert!(message(&e).contains("压缩炸弹"), "{e}");
}

#[test]
fn zip_bomb_lying_header_is_caught_by_bytes_read() {
    // A 40 MiB entry whose headers claim 1,000 bytes: the declared-size check passes, the
    // byte count of what decompression actually produces must not.
    let mut bomb = zip_with_big_entry("word/document.xml", 40 << 20, b"<w:document>");
    let declared = (40u32 << 20).to_le_bytes();
    let lie = 1000u32.to_le_bytes();
    let mut patched = 0;
    // Local header: uncompressed size at offset 22; central directory entry: at offset 24.
    for sig_off in [(b"PK\x03\x04", 22usize), (b"PK\x01\x02", 24usize)] {
        let (sig, off) = sig_off;
        if let Some(p) = bomb.windows(4).position(|w| w == sig) {
            if bomb[p + off..p + off + 4] == declared {
                bomb[p + off..p + off + 4].copy_from_slice(&lie);
                patched += 1;
            }
        }
    }
    // With zip64 (large_file) the 32-bit fields hold 0xFFFFFFFF and the sizes sit in the
    // extra field; patch those too.
    let declared64 = (40u64 << 20).to_le_bytes();
    let mut i = 0;
    while let Some(p) = bomb[i..].windows(8).position(|w| w == declared64) {
        bomb[i + p..i + p + 8].copy_from_slice(&1000u64.to_le_bytes());
        patched += 1;
        i += p + 8;
    }
    assert!(patched > 0, "no size field found to patch");
    let started = std::time::Instant::now();
    let r = parse_docx(&bomb, None);
    assert!(
        matches!(r, Err(OfficeError::EntryTooLarge(..))),
        "the bytes actually read must be counted: {:?}",
        r.map(|p| p.report.sections.len())
    );
    assert!(started.elapsed().as_secs() < 20);
}

#[test]
fn zip_bomb_total_budget_is_refused() {
    // Three 30 MiB sheets: each under the per-entry cap, together over the 64 MiB budget.
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let wb = "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheets>\
<sheet name=\"a\" sheetId=\"1\"/><sheet name=\"b\" sheetId=\"2\"/><sheet name=\"c\" sheetId=\"3\"/></sheets></workbook>";
    z.start_file("xl/workbook.xml", o).unwrap();
    z.write_all(wb.as_bytes()).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for n in 1..=3 {
        z.start_file(format!("xl/worksheets/sheet{n}.xml"), o).unwrap();
        z.write_all(b"<worksheet>").unwrap();
        for _ in 0..30 {
            z.write_all(&chunk).unwrap();
        }
        z.write_all(b"</worksheet>").unwrap();
    }
    let bytes = z.finish().unwrap().into_inner();
    let e = parse_xlsx(&bytes, None).unwrap_err();
    assert!(matches!(e, OfficeError::ArchiveTooLarge(_)), "{e:?}");
    assert!(message(&e).contains("总大小"), "{e}");
}

#[test]
fn doctype_with_entities_is_refused() {
    let mut lol = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        lol.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10)));
    }
    lol.push_str(&format!(
        "]><w:document xmlns:w=\"{W}\"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    ));
    let e = parse_docx(&docx_with(lol.as_bytes()), None).unwrap_err();
    assert!(matches!(e, OfficeError::DocType(_)), "{e:?}");
    assert!(message(&e).contains("DOCTYPE"), "{e}");
}

#[test]
fn undefined_entity_is_never_expanded() {
    let xml =
        format!("<w:document xmlns:w=\"{W}\"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>");
    let e = parse_docx(&docx_with(xml.as_bytes()), None).unwrap_err();
    assert!(message(&e).contains("&lol9;"), "{e}");
    // The predefined entities and character references are read.
    let ok = format!(
        "<w:document xmlns:w=\"{W}\"><w:body><w:p><w:r><w:t>A&amp;B&#x4E00;&#20108;</w:t></w:r></w:p></w:body></w:document>"
    );
    let p = parse_docx(&docx_with(ok.as_bytes()), None).unwrap();
    assert!(p.text.contains("A&B一二"), "{}", p.text);
}

#[test]
fn huge_file_is_refused_not_cut() {
    // Over MAX_INPUT (16 MiB): a ZIP cannot be cut (its directory is at the end).
    let mut bytes = docx_with(b"<w:document/>");
    bytes.resize(gongkai_parse::MAX_INPUT + 1, 0);
    let e = parse_docx(&bytes, None).unwrap_err();
    assert!(matches!(e, OfficeError::TooLarge(_)), "{e:?}");
    let p = parse_bytes(&bytes, Some("big.docx"));
    assert!(p.unsupported.as_deref().is_some_and(|m| m.contains("过大")), "{:?}", p.unsupported);
}

#[test]
fn deep_nesting_is_refused() {
    let mut xml = format!("<w:document xmlns:w=\"{W}\"><w:body>");
    xml.push_str(&"<w:sdt>".repeat(10_000));
    xml.push_str(&"</w:sdt>".repeat(10_000));
    xml.push_str("</w:body></w:document>");
    let e = parse_docx(&docx_with(xml.as_bytes()), None).unwrap_err();
    assert!(matches!(e, OfficeError::TooDeep(..)), "{e:?}");
    assert!(message(&e).contains("嵌套"), "{e}");
}

#[test]
fn broken_central_directory_is_refused() {
    let good = docx_with(format!("<w:document xmlns:w=\"{W}\"><w:body/></w:document>").as_bytes());
    // Cut inside the central directory.
    let cut = &good[..good.len() - 30];
    let e = parse_docx(cut, None).unwrap_err();
    assert!(matches!(e, OfficeError::BrokenZip(_)), "{e:?}");
    assert!(message(&e).contains("ZIP结构损坏"), "{e}");
    // A corrupted end-of-central-directory offset.
    let mut bad = good.clone();
    let eocd = bad.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    bad[eocd + 16..eocd + 20].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    assert!(parse_docx(&bad, None).is_err());
    assert!(parse_bytes(&bad, None).unsupported.is_some());
}

#[test]
fn zip_without_document_xml_is_refused() {
    let bytes = zip_of(&[("[Content_Types].xml", b"<Types/>"), ("word/styles.xml", b"<w:styles/>")]);
    let e = parse_docx(&bytes, None).unwrap_err();
    assert_eq!(e, OfficeError::MissingPart("word/document.xml"));
    assert!(message(&e).contains("word/document.xml"), "{e}");
    let p = parse_bytes(&bytes, Some("x.docx"));
    assert!(p.unsupported.as_deref().is_some_and(|m| m.contains("word/document.xml")), "{:?}", p.unsupported);
}

#[test]
fn non_utf8_and_garbage_xml_are_refused() {
    // GBK bytes for 一、 inside a UTF-8 document.
    let mut xml = format!("<w:document xmlns:w=\"{W}\"><w:body><w:p><w:r><w:t>").into_bytes();
    xml.extend_from_slice(&[0xD2, 0xBB, 0xA1, 0xA2]);
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let e = parse_docx(&docx_with(&xml), None).unwrap_err();
    assert!(message(&e).contains("UTF-8"), "{e}");
    // A declared legacy encoding.
    let gbk = format!("<?xml version=\"1.0\" encoding=\"GBK\"?><w:document xmlns:w=\"{W}\"><w:body/></w:document>");
    let e = parse_docx(&docx_with(gbk.as_bytes()), None).unwrap_err();
    assert!(message(&e).contains("gbk"), "{e}");
    // Binary garbage and mismatched tags.
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    assert!(parse_docx(&docx_with(&garbage), None).is_err());
    let e = parse_docx(&docx_with(b"<w:document><w:body></w:p></w:document>"), None).unwrap_err();
    assert!(message(&e).contains("XML"), "{e}");
    // UTF-16.
    let e = parse_docx(&docx_with(&[0xFF, 0xFE, b'<', 0]), None).unwrap_err();
    assert!(message(&e).contains("UTF-16"), "{e}");
}

#[test]
fn mutated_archives_never_panic() {
    // Flip bytes all over a real DOCX and XLSX: errors or reports, never a panic.
    let r = gongkai_synth::report(7, &gongkai_synth::SynthOptions::default());
    for (k, good) in [gongkai_office::docx(&r), gongkai_office::xlsx(&r)].into_iter().enumerate() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ k as u64;
        for _ in 0..300 {
            let mut b = good.clone();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let i = (state as usize) % b.len();
                b[i] ^= (state >> 32) as u8 | 1;
            }
            let _ = parse_bytes(&b, None);
        }
    }
}

fn xlsx_with_sheet(sheet: &str) -> Vec<u8> {
    let wb = "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheets><sheet name=\"s\" sheetId=\"1\"/></sheets></workbook>";
    zip_of(&[("xl/workbook.xml", wb.as_bytes()), ("xl/worksheets/sheet1.xml", sheet.as_bytes())])
}

#[test]
fn sheet_corners_and_huge_merges_stay_fast() {
    // Cells at A1 and XFD1048576, one merge over the whole sheet and 100,000 more: the work
    // must follow the stored cells, not the sheet's 2^34-cell area.
    let mut merges = String::from("<mergeCell ref=\"A1:XFD1048576\"/>");
    for i in 0..100_000 {
        merges.push_str(&format!("<mergeCell ref=\"B{}:XFD1048576\"/>", i % 1000 + 1));
    }
    let sheet = format!(
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\
<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>表三</t></is></c></row>\
<row r=\"1048576\"><c r=\"XFD1048576\"><v>7</v></c></row></sheetData><mergeCells>{merges}</mergeCells></worksheet>"
    );
    let started = std::time::Instant::now();
    let p = parse_xlsx(&xlsx_with_sheet(&sheet), None).unwrap();
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert!(p.text.len() < 64 << 20);
}

#[test]
fn millions_of_empty_rows_and_cells_are_bounded() {
    // 3 million `<w:tr/>` and a row of 1 million `<w:tc/>`: no grid beyond 2,000 × 200.
    let mut xml = format!("<w:document xmlns:w=\"{W}\"><w:body><w:tbl><w:tr>");
    xml.push_str(&"<w:tc/>".repeat(1_000_000));
    xml.push_str("</w:tr>");
    xml.push_str(&"<w:tr/>".repeat(3_000_000));
    xml.push_str("</w:tbl></w:body></w:document>");
    let started = std::time::Instant::now();
    let p = parse_docx(&docx_with(xml.as_bytes()), None).unwrap();
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    assert!(p.text.len() < 1 << 20, "{}", p.text.len());
}

#[test]
fn long_text_repeated_by_references_and_merges_is_bounded() {
    // XLSX: one 4 MiB shared string referenced by 200,000 cells, and merged over a row.
    let big = "字".repeat((4 << 20) / 3);
    let sst =
        format!("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>{big}</t></si></sst>");
    let mut rows = String::new();
    for r in 1..=1000 {
        rows.push_str(&format!("<row r=\"{r}\">"));
        for c in ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"] {
            rows.push_str(&format!("<c r=\"{c}{r}\" t=\"s\"><v>0</v></c>"));
        }
        rows.push_str("</row>");
    }
    let sheet = format!(
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}</sheetData>\
<mergeCells><mergeCell ref=\"A1:GR1000\"/></mergeCells></worksheet>"
    );
    let wb = "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheets><sheet name=\"s\" sheetId=\"1\"/></sheets></workbook>";
    let bytes = zip_of(&[
        ("xl/workbook.xml", wb.as_bytes()),
        ("xl/sharedStrings.xml", sst.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    let p = parse_xlsx(&bytes, None).unwrap();
    assert!(p.text.len() <= gongkai_office::flat::MAX_TEXT, "{}", p.text.len());
    assert!(p.findings.iter().any(|f| f.message.contains("未读取")), "{:?}", p.findings);
    // DOCX: a 4 MiB cell spanning 200 columns, continued down 2,000 rows by w:vMerge.
    let cell = |props: &str, text: &str| {
        format!("<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
    };
    let mut xml = format!("<w:document xmlns:w=\"{W}\"><w:body><w:tbl>");
    xml.push_str(&format!("<w:tr>{}</w:tr>", cell("<w:gridSpan w:val=\"200\"/><w:vMerge w:val=\"restart\"/>", &big)));
    let cont = format!("<w:tr>{}</w:tr>", cell("<w:gridSpan w:val=\"200\"/><w:vMerge/>", ""));
    xml.push_str(&cont.repeat(2000));
    xml.push_str("</w:tbl></w:body></w:document>");
    let p = parse_docx(&docx_with(xml.as_bytes()), None).unwrap();
    assert!(p.findings.iter().any(|f| f.message.contains("截断")), "{:?}", p.findings);
}
