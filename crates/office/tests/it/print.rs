//! The generated documents as a clerk sees them on paper: each one (the report as XLSX and
//! DOCX, the 台账 template and export, the fee notice) is printed to PDF by LibreOffice
//! (`soffice --headless --convert-to pdf`), and the PDF is held to what was written:
//!
//! - the page count is the one expected (a table that no longer fits its page, a lost row
//!   height or a page break in the wrong place changes it);
//! - every cell's and paragraph's text is in the PDF's text (`pdftotext -raw`; LibreOffice
//!   leaves text that a cell or the page cuts off out of the PDF, so a cut-off title or a
//!   label wrapped into a too-low row is missing);
//! - no page holds only the signature lines of a letter.
//!
//! The pages are also written as PNG (`pdftoppm -r 60`) to `docs/screenshots/office-*.png`
//! for people to look at.
//!
//! Ignored by default, because it needs LibreOffice and poppler-utils, which CI does not
//! install. Run it with
//!
//! ```text
//! cargo test -p gongkai-office --test it print -- --ignored --nocapture
//! ```
//!
//! Without `soffice` on PATH it prints a `SKIPPED` line naming what is missing and passes.

use std::path::{Path, PathBuf};
use std::process::Command;

use gongkai_model::Report;

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-v").output().is_ok() || Command::new(tool).arg("--version").output().is_ok()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The document printed to PDF by LibreOffice (a private profile, so parallel runs and a
/// user's open LibreOffice do not interfere).
fn to_pdf(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let src = dir.join(name);
    std::fs::write(&src, bytes).unwrap();
    let profile = format!("file://{}", dir.join("profile").display());
    let out = Command::new("soffice")
        .env("FONTCONFIG_FILE", dir.join("fonts.conf"))
        .args(["--headless", &format!("-env:UserInstallation={profile}"), "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(&src)
        .output()
        .expect("soffice runs");
    let pdf = src.with_extension("pdf");
    assert!(pdf.exists(), "LibreOffice made no PDF of {name}: {}", String::from_utf8_lossy(&out.stderr));
    pdf
}

/// The PDF's text, page by page (reading order of the content, not the layout).
fn pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext").arg("-raw").arg(pdf).arg("-").output().expect("pdftotext runs");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut p: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if p.last().is_some_and(|l| l.trim().is_empty()) {
        p.pop();
    }
    p
}

/// Each page as `docs/screenshots/{stem}-p{N}.png` at 60 dpi.
fn screenshots(pdf: &Path, stem: &str, n: usize) {
    let dir = root().join("docs/screenshots");
    for page in 1..=n {
        let out = dir.join(format!("{stem}-p{page}"));
        let ok = Command::new("pdftoppm")
            .args(["-png", "-r", "60", "-singlefile", "-f", &page.to_string(), "-l", &page.to_string()])
            .arg(pdf)
            .arg(&out)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "pdftoppm failed on page {page} of {}", pdf.display());
    }
    // Pages a longer earlier print left behind.
    for page in n + 1..=30 {
        let _ = std::fs::remove_file(dir.join(format!("{stem}-p{page}.png")));
    }
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every text is in the PDF, whole: the texts that are missing.
fn missing<'a>(pdf_pages: &[String], texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let all = squeeze(&pdf_pages.concat());
    texts.into_iter().map(squeeze).filter(|t| !t.is_empty() && !all.contains(t.as_str())).collect()
}

fn report() -> Report {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/synth-2021.json");
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// Every text a report writer prints: title, preamble, headings, paragraphs, table cells.
fn report_texts(r: &Report) -> Vec<String> {
    let mut t: Vec<String> = r.title.iter().map(|t| t.value.clone()).collect();
    t.extend(r.preamble.iter().map(|p| p.text.clone()));
    for s in &r.sections {
        t.push(s.heading.clone());
        t.extend(s.paras.iter().map(|p| p.text.clone()));
    }
    for table in gongkai_office::layout::tables(r) {
        t.extend(table.cells.iter().map(|c| c.text.clone()));
    }
    t
}

struct Printed {
    name: &'static str,
    pages: Vec<String>,
}

fn print(dir: &Path, name: &'static str, bytes: &[u8], stem: &str) -> Printed {
    let pdf = to_pdf(dir, name, bytes);
    let pages = pages(&pdf);
    screenshots(&pdf, stem, pages.len());
    Printed { name, pages }
}

fn check(p: &Printed, want_pages: usize, texts: &[String]) {
    let gone = missing(&p.pages, texts.iter().map(String::as_str));
    assert!(gone.is_empty(), "{}: text missing from the printed PDF (cut off?): {gone:#?}", p.name);
    assert_eq!(p.pages.len(), want_pages, "{}: pages", p.name);
}

#[test]
#[ignore = "needs LibreOffice and poppler-utils: cargo test -p gongkai-office --test it print -- --ignored"]
fn generated_documents_print_whole() {
    for tool in ["soffice", "pdftotext", "pdftoppm"] {
        if !have(tool) {
            gongkai_testkit::skipped(
                "the print test",
                &format!("`{tool}` is not on PATH (install LibreOffice and poppler-utils)"),
            );
            return;
        }
    }
    let dir = std::env::temp_dir().join(format!("gongkai-print-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The official fonts are absent here: print with the fallbacks of docs/fonts (as a Linux
    // user installs them), so that 仿宋 falls back to a serif CJK face, not to a sans-serif.
    let fonts = root().join("docs/fonts/65-gongkai-official-fonts.conf");
    std::fs::write(
        dir.join("fonts.conf"),
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n<fontconfig>\
<include ignore_missing=\"no\">{}</include><include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include></fontconfig>\n",
            fonts.canonicalize().unwrap().display()
        ),
    )
    .unwrap();
    let r = report();
    let texts = report_texts(&r);

    let x = print(&dir, "report.xlsx", &gongkai_office::xlsx(&r), "office-xlsx-report");
    // 正文 on two pages, 表二 on one, 表三 on two (its three header rows repeated), 表四 on one.
    check(&x, 6, &texts);

    let d = print(&dir, "report.docx", &gongkai_office::docx(&r), "office-docx-report");
    check(&d, 5, &texts);

    // The same report with twelve more lines before table 三, which brought the page break
    // into the （三）不予公开 group (its rows 7 and 8 went over without the group label): the
    // group is kept together and goes over whole, under the repeated header rows.
    let mut longer = r.clone();
    let s2 = longer.sections.iter_mut().find(|s| s.id.0 == 2).unwrap();
    for i in 1..=12 {
        s2.paras.push(gongkai_model::Para {
            text: format!("补充说明第{i}段。"),
            src: Default::default(),
            verbatim: false,
        });
    }
    let g = print(&dir, "group.docx", &gongkai_office::docx(&longer), "office-docx-group");
    check(&g, 5, &report_texts(&longer));
    let label = g.pages.iter().position(|p| p.contains("（三）不予公开")).unwrap();
    for row in ["1.属于国家秘密", "8.属于行政查询事项"] {
        assert_eq!(
            g.pages.iter().position(|p| p.contains(row)),
            Some(label),
            "{row} is not on the page of its group label"
        );
    }

    // The 台账: a blank template, and an export of 40 applications.
    let t = print(&dir, "template.xlsx", &gongkai_office::ledger_template(), "office-ledger-template");
    let headers: Vec<String> = gongkai_register::ledger::HEADERS.iter().map(|h| h.to_string()).collect();
    check(&t, 1, &headers);
    let rows = gongkai_synth::ledger::ledger(3, 40, Default::default());
    let cal = gongkai_calendar::Calendar::official();
    let e = print(
        &dir,
        "export.xlsx",
        &gongkai_office::ledger_xlsx("台账", &export_rows(&rows, cal)),
        "office-ledger-export",
    );
    let cells: Vec<String> = export_rows(&rows, cal).concat();
    check(&e, 1, &cells);

    // The fee notice: a long fee breakdown brings the signature to the page end; the last
    // paragraph goes over with it.
    let (letter, texts) = fee_notice();
    let f = print(&dir, "fee.docx", &letter, "office-fee-notice");
    check(&f, 2, &texts);
    for (i, page) in f.pages.iter().enumerate() {
        let lines: Vec<&str> = page.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('—')).collect();
        let signature_only = !lines.is_empty() && lines.iter().all(|l| texts[texts.len() - 2..].iter().any(|t| t == l));
        assert!(!signature_only, "page {} of the fee notice holds only the signature: {lines:?}", i + 1);
    }

    std::fs::remove_dir_all(&dir).ok();
}

/// The rows a ledger export writes for `rows` (outcomes in words, as `ledger::write_as`).
fn export_rows(rows: &[Vec<String>], cal: &gongkai_calendar::Calendar) -> Vec<Vec<String>> {
    let read = gongkai_register::ledger::read(rows, cal).unwrap();
    let apps: Vec<gongkai_register::Application> = read
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.application(gongkai_register::AppId(i as i64 + 1), gongkai_register::OrganId(1)))
        .collect();
    gongkai_register::ledger::write_as(&apps, true, true)
}

/// A 收费通知书 for 50 items (a breakdown of four bands: before the closing block was kept
/// together, LibreOffice printed its signature and date alone on page 2), and the texts it
/// must print.
fn fee_notice() -> (Vec<u8>, Vec<String>) {
    fee_notice_n(50)
}

fn fee_notice_n(n: u64) -> (Vec<u8>, Vec<String>) {
    use gongkai_letters::{Context, Kind, letter};
    let d = |m, day| jiff::civil::date(2024, m, day);
    let c = Context {
        organ: "示例县科学技术局".into(),
        organ_short: "示科".into(),
        serial: "2024-015".into(),
        applicant: "张三".into(),
        received: d(9, 27),
        description: "2023年度科技项目资金分配结果、项目评审专家名单及评审意见、资金拨付凭证".into(),
        date: d(10, 18),
        review_body: Some("示例县人民政府".into()),
        court: Some("示例县人民法院".into()),
        contact: Some("示例县科学技术局办公室，电话0000-1234567".into()),
    };
    let quote = gongkai_fees::by_items(0, n).unwrap();
    let l = letter(&Kind::Fee { quote }, &c);
    let date = gongkai_clock::zh_date(l.date);
    let bytes = gongkai_office::docx_letter(&l.title, &l.number, &l.addressee, &l.paragraphs, &l.signature, &date);
    let mut texts = vec![l.title.clone(), l.number.clone(), l.addressee.clone()];
    texts.extend(l.paragraphs.iter().cloned());
    texts.push(l.signature.clone());
    texts.push(date);
    (bytes, texts)
}
