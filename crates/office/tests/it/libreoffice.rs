//! Files written by another producer: generated reports written by this crate, opened and
//! saved again by LibreOffice 7 (its own DOCX and XLSX writers: different styles, runs split
//! at every script change, `<f aca="false">` formulas, row heights, docProps), and the HTML
//! rendering of a report imported by LibreOffice Writer (DOCX) and Calc (XLSX: the whole
//! report in one sheet, prose in rows merged across 27 columns, tables on a union grid). The
//! tables, sections and prose read back equal to the report data in the JSON beside them,
//! and the checker finds nothing.

use gongkai_model::Report;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

fn values(r: &Report) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    let v = |c: &gongkai_model::Cell| c.as_number().map(|d| d.normalize().to_string());
    for (row, m) in &r.table2 {
        out.extend(m.iter().map(|(c, x)| ("T2".to_string(), format!("{row}.{c}"), v(x))));
    }
    for (row, m) in &r.table3 {
        out.extend(m.iter().map(|(c, x)| ("T3".to_string(), format!("{row}.{c}"), v(x))));
    }
    for (g, m) in &r.table4 {
        out.extend(m.iter().map(|(o, x)| ("T4".to_string(), format!("{g}.{o}"), v(x))));
    }
    out
}

#[test]
fn libreoffice_saved_docx_and_xlsx_read_back_equal() {
    for year in ["2021", "2019"] {
        let expected: Report =
            serde_json::from_slice(&fixture(&format!("synth-{year}.json"))).expect("fixture report JSON");
        let mut files = vec![format!("synth-{year}-libreoffice.docx"), format!("synth-{year}-libreoffice.xlsx")];
        if year == "2021" {
            files.push("synth-2021-libreoffice-html.docx".to_string());
            files.push("synth-2021-libreoffice-html-onesheet.xlsx".to_string());
        }
        for name in files {
            let ext = if name.ends_with(".docx") { "docx" } else { "xlsx" };
            let p = gongkai_office::parse_bytes(fixture(&name), Some(name.as_str()));
            assert!(p.unsupported.is_none(), "{name}: {:?}", p.unsupported);
            let problems: Vec<_> = p.findings.iter().filter(|f| f.rule != "P4").collect();
            assert!(problems.is_empty(), "{name}: {problems:#?}");
            assert_eq!(p.report.source.kind, ext);
            assert_eq!(p.report.format, expected.format, "{name}");
            assert_eq!(values(&p.report), values(&expected), "{name}");
            let secs = |r: &Report| {
                r.sections
                    .iter()
                    .map(|s| (s.heading.clone(), s.paras.iter().map(|p| p.text.clone()).collect::<Vec<_>>()))
                    .collect::<Vec<_>>()
            };
            // The HTML page repeats each section heading as its table's <caption>, which
            // Writer imports as a paragraph: that document has each of 二/三/四 twice.
            if name != "synth-2021-libreoffice-html.docx" {
                assert_eq!(secs(&p.report), secs(&expected), "{name}");
            }
            let f = gongkai_rules::check(&p.report);
            assert!(f.is_empty(), "{name}: {f:#?}");
        }
    }
}
