//! Every format through the one entry: the same generated report as text, HTML, DOCX and XLSX
//! gives the same tables; a PDF goes through pdftotext (when installed); garbage and unknown
//! containers are reports with reasons, never errors or panics.

use gongkai_ingest::{check, read};

/// The tables' values and cell states, without where each came from (which differs by format).
fn tables(p: &gongkai_ingest::Parsed) -> String {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("src");
                m.remove("raw");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::json!([p.report.table2, p.report.table3, p.report.table4]);
    strip(&mut v);
    v.to_string()
}

#[test]
fn text_html_docx_and_xlsx_give_the_same_tables() {
    let report = gongkai_synth::report(7, &gongkai_synth::SynthOptions::default());
    let text = gongkai_render::text(&report, gongkai_render::TextShape::CellPerLine);
    let html = gongkai_render::html(&report);
    let docx = gongkai_office::docx(&report);
    let xlsx = gongkai_office::xlsx_write::xlsx(&report);
    let base = read(text.as_bytes(), Some("r.txt")).unwrap();
    assert!(base.unsupported.is_none());
    for (name, bytes) in [("r.html", html.into_bytes()), ("r.docx", docx), ("r.xlsx", xlsx)] {
        let p = read(&bytes, Some(name)).unwrap();
        assert!(p.unsupported.is_none(), "{name}: {:?}", p.unsupported);
        assert_eq!(tables(&p), tables(&base), "{name}");
    }
    let c = check(text.as_bytes(), Some("r.txt")).unwrap();
    assert!(
        c.findings
            .windows(2)
            .all(|w| w[0].location.map_or(u32::MAX, |l| l.start) <= w[1].location.map_or(u32::MAX, |l| l.start))
    );
}

#[test]
fn a_pdf_is_read_through_pdftotext() {
    if !gongkai_pdf::available() {
        eprintln!("SKIPPED: pdftotext is not installed (apt-get install poppler-utils); the PDF path was not tested");
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/reports/007.pdf");
    let Ok(bytes) = std::fs::read(&dir) else {
        eprintln!("SKIPPED: {} not found; the PDF path was not tested", dir.display());
        return;
    };
    let c = check(&bytes, Some("007.pdf")).unwrap();
    assert_eq!(c.parsed.report.source.kind, "pdf");
    assert!(c.parsed.report.table3.get(&gongkai_model::T3Row::R1).is_some(), "table 三 read from the PDF");
    // A file that says it is a PDF but is not one is an error with pdftotext's reason.
    assert!(read(b"%PDF-1.4 not really a pdf", Some("x.pdf")).is_err());
}

#[test]
fn garbage_and_unknown_containers_are_reports_with_reasons() {
    for (name, bytes) in [
        ("random.bin", (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect::<Vec<u8>>()),
        ("old.doc", vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0]),
        ("empty.txt", Vec::new()),
        ("fake.docx", b"PK\x03\x04 not a zip".to_vec()),
    ] {
        let p = read(&bytes, Some(name)).unwrap();
        assert!(p.unsupported.is_some() || !p.findings.is_empty(), "{name}: no reason given");
    }
}
