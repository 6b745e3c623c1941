//! The XLSX ledger reader (`xlsx_read::xlsx_ledger_rows`): every row, explicit limits, no
//! silent cut and no unreadable value taken for data (issue 12 item 1).

use std::io::{Cursor, Write};

use gongkai_office::OfficeError;
use gongkai_office::xlsx_read::{MAX_LEDGER_ROWS, xlsx_ledger_rows};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn xlsx_with_sheet(sheet: &str, sst: &str) -> Vec<u8> {
    let wb = "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"台账\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    let rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in [
        ("[Content_Types].xml", "<Types/>"),
        ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", sst),
    ] {
        z.start_file(name, o).unwrap();
        z.write_all(data.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

const NS: &str = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";

#[test]
fn xlsx_import_keeps_every_row() {
    // 5,000 rows from gongkai's own writer (the report reader stops at 2,000).
    let rows = gongkai_synth::ledger::ledger(1, 5_000, Default::default());
    let sheet = xlsx_ledger_rows(&gongkai_office::xlsx_rows("台账", &rows)).unwrap();
    assert_eq!(sheet.rows.len(), 5_001);
    for (a, b) in rows.iter().zip(&sheet.rows) {
        // Trailing empty cells are not materialised.
        let trimmed: Vec<&String> = a.iter().rev().skip_while(|c| c.is_empty()).collect();
        assert_eq!(b.len(), trimmed.len());
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x, y);
        }
    }
    assert!(sheet.warnings.is_empty(), "{:?}", sheet.warnings);
}

#[test]
fn ledger_rows_past_the_limit_are_refused_whole() {
    let over = MAX_LEDGER_ROWS + 2;
    let sheet = format!(
        "<worksheet {NS}><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>受理编号</t></is></c></row>\
<row r=\"{over}\"><c r=\"A{over}\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>"
    );
    match xlsx_ledger_rows(&xlsx_with_sheet(&sheet, "<sst/>")) {
        Err(e @ OfficeError::LedgerTooLarge(..)) => {
            assert!(e.to_string().contains("200000") && e.to_string().contains("未导入任何一行"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    // Exactly at the limit: read.
    let at = MAX_LEDGER_ROWS + 1;
    let sheet =
        sheet.replace(&format!("\"{over}\""), &format!("\"{at}\"")).replace(&format!("A{over}"), &format!("A{at}"));
    assert_eq!(xlsx_ledger_rows(&xlsx_with_sheet(&sheet, "<sst/>")).unwrap().rows.len(), at);
}

#[test]
fn ledger_cells_that_cannot_be_read_are_errors_not_data() {
    // A shared-string index past the table, and a formula without its cached result.
    for cell in ["<c r=\"B2\" t=\"s\"><v>7</v></c>", "<c r=\"B2\"><f>A1*2</f></c>"] {
        let sheet = format!(
            "<worksheet {NS}><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row><row r=\"2\">{cell}</row></sheetData></worksheet>"
        );
        let sst = format!("<sst {NS}><si><t>受理编号</t></si></sst>");
        match xlsx_ledger_rows(&xlsx_with_sheet(&sheet, &sst)) {
            Err(e @ OfficeError::LedgerCell(..)) => assert!(e.to_string().contains("B2"), "{e}"),
            other => panic!("{cell}: {other:?}"),
        }
    }
}
