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

/// The parts of a workbook, by name.
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            (f.name().to_string(), s)
        })
        .collect()
}

fn rezip(parts: &[(String, String)]) -> Vec<u8> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in parts {
        z.start_file(name.as_str(), o).unwrap();
        z.write_all(data.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn filled_in_template_imports() {
    use gongkai_register::ledger;
    let template = gongkai_office::ledger_template();
    let mut parts = unzip(&template);
    let sheet = &mut parts.iter_mut().find(|(n, _)| n == "xl/worksheets/sheet1.xml").unwrap().1;
    // The template: header only, typed columns, drop-downs, frozen header, filter.
    assert!(sheet.contains("state=\"frozen\"") && sheet.contains("<autoFilter ref=\"A1:S1\"/>"), "{sheet}");
    assert_eq!(sheet.matches("<dataValidation ").count(), 4);
    // A clerk fills two rows as Excel saves them: text typed as text, dates as date serials
    // (45356 = 2024-03-05), the 延期工作日数 as a number, values picked from the lists.
    let headers = ledger::HEADERS;
    let col =
        |h: &str| gongkai_office::a1(1, headers.iter().position(|x| *x == h).unwrap() as u32 + 1).replace('1', "");
    let s = |r: u32, h: &str, t: &str| format!("<c r=\"{}{r}\" t=\"inlineStr\"><is><t>{t}</t></is></c>", col(h));
    let n = |r: u32, h: &str, v: u32| format!("<c r=\"{}{r}\" s=\"7\"><v>{v}</v></c>", col(h));
    let mut rows = String::new();
    for (r, (serial, name, outcome)) in
        [(2u32, ("001", "张三", "予以公开")), (3, ("002", "某某科技有限公司", "本机关不掌握相关政府信息"))]
    {
        rows.push_str(&format!(
            "<row r=\"{r}\">{}{}{}{}{}{}{}{}{}</row>",
            s(r, "受理编号", serial),
            n(r, "收到申请日期", 45_356),
            s(r, "提交方式", "网络"),
            s(r, "申请人类型", if r == 2 { "自然人" } else { "商业企业" }),
            s(r, "申请人姓名或名称", name),
            s(r, "申请内容", "2023年度项目资金分配结果"),
            s(r, "获取信息方式", "电子数据"),
            n(r, "答复日期", 45_370),
            s(r, "办理结果", outcome),
        ));
    }
    *sheet = sheet.replace("</row></sheetData>", &format!("</row>{rows}</sheetData>"));
    let read = xlsx_ledger_rows(&rezip(&parts)).unwrap();
    assert!(read.warnings.is_empty(), "the hidden list sheet is gongkai's own: {:?}", read.warnings);
    let got = ledger::read(&read.rows, gongkai_calendar::Calendar::official()).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].serial, "001");
    assert_eq!(got[1].applicant.name, "某某科技有限公司");
    let replied: Vec<_> = got
        .iter()
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            gongkai_clock::Event::Replied { date, outcome } => Some((date.to_string(), outcome.id())),
            _ => None,
        })
        .collect();
    assert_eq!(replied, [("2024-03-19".to_string(), "R3.1"), ("2024-03-19".to_string(), "R3.4.1")]);
}

#[test]
fn ledger_export_types_its_cells_and_reads_back_the_same() {
    use gongkai_register::ledger;
    let cal = gongkai_calendar::Calendar::official();
    let rows = gongkai_synth::ledger::ledger(7, 300, Default::default());
    let want = ledger::read(&rows, cal).unwrap();
    let x = gongkai_office::ledger_xlsx("台账", &rows);
    let parts = unzip(&x);
    let sheet = &parts.iter().find(|(n, _)| n == "xl/worksheets/sheet1.xml").unwrap().1;
    // Dates are numbers in a date format, not strings.
    assert!(sheet.contains(&format!("<c r=\"B2\" s=\"{}\"><v>", 7)), "{}", &sheet[..2000]);
    let wb = &parts.iter().find(|(n, _)| n == "xl/workbook.xml").unwrap().1;
    assert!(wb.contains("state=\"hidden\"") && wb.contains("_xlnm._FilterDatabase"), "{wb}");
    let back = xlsx_ledger_rows(&x).unwrap();
    let got = ledger::read(&back.rows, cal).unwrap();
    assert_eq!(got, want);
}
