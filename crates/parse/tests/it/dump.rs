//! Property test of reports as text browsers and converters write them out
//! (`gongkai_synth::dump`): generated 2021- and 2019-format reports whose Markdown tables are
//! redrawn with box-drawing or ASCII grid borders, cells wrapped onto several lines, short
//! cells and spanned labels on a tall row's middle line, open rules under merged cells, as
//! HTML tables left inside the Markdown, or one cell a line. Every cell and section must be
//! read exactly.

use gongkai_model::FormatVersion;
use gongkai_parse::{Kind, parse_bytes, parse_str};
use gongkai_synth::dump::{Dump, Style, dump};
use gongkai_synth::{SynthOptions, report};
use proptest::prelude::*;

const STYLES: [Style; 11] = [
    Style::Box,
    Style::HeavyFrame,
    Style::Double,
    Style::Ascii,
    Style::Html,
    Style::CellLines,
    Style::Html2Text,
    Style::GfmSpans,
    Style::PandocSpans,
    Style::OfficeText,
    Style::Repeated,
];

fn check(seed: u64, format: FormatVersion, d: Dump) -> Result<(), TestCaseError> {
    let r = report(seed, &SynthOptions { format, target_bytes: 1_500 });
    let md = gongkai_render::markdown(&r);
    let html = gongkai_render::html(&r);
    let text = dump(&md, Some(&html), d, seed);
    prop_assert_ne!(&text, &md);
    // Read as a file of unknown kind (the sniffing decides), and as text.
    for (how, p) in [("bytes", parse_bytes(text.as_bytes(), None)), ("text", parse_str(&text, Kind::Text))] {
        let (want, got) = (r.cell_values(), p.report.cell_values());
        let diff: Vec<_> =
            want.iter().filter(|c| !got.contains(c)).chain(got.iter().filter(|c| !want.contains(c))).collect();
        prop_assert!(
            diff.is_empty(),
            "{how} {d:?}: {} cells differ, first {:?}\nfindings {:?}\n{text}",
            diff.len(),
            &diff[..diff.len().min(8)],
            p.findings.iter().take(8).map(|f| &f.message).collect::<Vec<_>>()
        );
        prop_assert_eq!(p.report.format, format);
        let sections: Vec<_> = p.report.sections.iter().map(|s| s.id).collect();
        let want_sections: Vec<_> = r.sections.iter().map(|s| s.id).collect();
        prop_assert_eq!(sections, want_sections, "{} {:?}: sections\n{}", how, d, text);
    }
    Ok(())
}

fn dumps() -> impl Strategy<Value = Dump> {
    (0..STYLES.len(), proptest::option::of(8usize..30), any::<bool>(), any::<bool>())
        .prop_map(|(s, wrap, middle, open_spans)| Dump { style: STYLES[s], wrap, middle, open_spans })
}

/// (At least 10 % of the cells blank, so that two rows or more show the printing: with a
/// single such row in a document, the row is refused rather than read by its lines, see
/// `a_stray_line_does_not_make_a_scrapers_text_read_by_lines`.)
///
/// A report whose table 三 leaves some of the legal-person columns blank and table 四 some of
/// its outcomes, as many real reports do (a blank is not 0, and is read as blank), then
/// written as LibreOffice's text export writes it: every cell a line, blanks as empty lines.
fn check_office_text_with_blanks(seed: u64, format: FormatVersion, blank_percent: u64) -> Result<(), TestCaseError> {
    let mut r = report(seed, &SynthOptions { format, target_bytes: 1_500 });
    let mut k = seed;
    for row in r.table3.values_mut() {
        for col in gongkai_model::Col::ALL.iter().filter(|c| !matches!(c, gongkai_model::Col::Tot)) {
            k = k.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            if (k >> 33) % 100 < blank_percent
                && let Some(c) = row.get_mut(col)
            {
                *c = gongkai_model::Cell::blank();
            }
        }
    }
    for row in r.table2.values_mut() {
        for col in gongkai_model::T2Col::ALL {
            k = k.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            if (k >> 33) % 100 < blank_percent / 2
                && let Some(c) = row.get_mut(col)
            {
                *c = gongkai_model::Cell::blank();
            }
        }
    }
    for row in r.table4.values_mut() {
        for o in gongkai_model::T4Outcome::ALL.iter().filter(|o| !matches!(o, gongkai_model::T4Outcome::Tot)) {
            k = k.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            if (k >> 33) % 100 < blank_percent
                && let Some(c) = row.get_mut(o)
            {
                *c = gongkai_model::Cell::blank();
            }
        }
    }
    let md = gongkai_render::markdown(&r);
    let html = gongkai_render::html(&r);
    let text = dump(&md, Some(&html), Dump { style: Style::OfficeText, ..Dump::default() }, seed);
    let p = parse_str(&text, Kind::Text);
    let (want, got) = (r.cell_values(), p.report.cell_values());
    let t34 = |v: &Vec<(String, Option<String>)>| {
        v.iter()
            .filter(|c| c.0.starts_with("T2.") || c.0.starts_with("T3.") || c.0.starts_with("T4."))
            .cloned()
            .collect::<Vec<_>>()
    };
    prop_assert_eq!(t34(&got), t34(&want), "{}", text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn box_drawing(seed in any::<u64>()) {
        check(seed, FormatVersion::F2021, Dump { style: Style::Box, ..Dump::default() })?;
    }

    #[test]
    fn heavy_and_double_frames(seed in any::<u64>(), double in any::<bool>()) {
        let style = if double { Style::Double } else { Style::HeavyFrame };
        check(seed, FormatVersion::F2021, Dump { style, ..Dump::default() })?;
    }

    #[test]
    fn ascii_grid(seed in any::<u64>()) {
        check(seed, FormatVersion::F2021, Dump { style: Style::Ascii, ..Dump::default() })?;
    }

    #[test]
    fn html_tables_inside_markdown(seed in any::<u64>()) {
        check(seed, FormatVersion::F2021, Dump { style: Style::Html, ..Dump::default() })?;
    }

    #[test]
    fn one_cell_per_line(seed in any::<u64>(), f2019 in any::<bool>()) {
        let format = if f2019 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        check(seed, format, Dump { style: Style::CellLines, ..Dump::default() })?;
    }

    #[test]
    fn python_html2text(seed in any::<u64>(), f2019 in any::<bool>()) {
        let format = if f2019 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        check(seed, format, Dump { style: Style::Html2Text, ..Dump::default() })?;
    }

    #[test]
    fn pandoc_gfm_with_spans(seed in any::<u64>(), f2019 in any::<bool>()) {
        let format = if f2019 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        check(seed, format, Dump { style: Style::GfmSpans, ..Dump::default() })?;
    }

    #[test]
    fn pandoc_markdown_with_bracketed_spans(seed in any::<u64>(), f2019 in any::<bool>()) {
        let format = if f2019 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        check(seed, format, Dump { style: Style::PandocSpans, ..Dump::default() })?;
    }

    #[test]
    fn office_text_export_with_blank_cells(seed in any::<u64>(), f2019 in any::<bool>(), blanks in 10u64..90) {
        let format = if f2019 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        check_office_text_with_blanks(seed, format, blanks)?;
    }

    #[test]
    fn merged_cells_repeated_as_pandas_and_python_docx_write_them(seed in any::<u64>(), f2019 in any::<bool>()) {
        let format = if f2019 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        check(seed, format, Dump { style: Style::Repeated, ..Dump::default() })?;
    }

    #[test]
    fn wrapped_cells(seed in any::<u64>(), w in 8usize..30, ascii in any::<bool>()) {
        let style = if ascii { Style::Ascii } else { Style::Box };
        check(seed, FormatVersion::F2021, Dump { style, wrap: Some(w), ..Dump::default() })?;
    }

    #[test]
    fn middle_lines_and_open_spans(seed in any::<u64>(), w in proptest::option::of(8usize..30)) {
        check(seed, FormatVersion::F2021, Dump { style: Style::Box, wrap: w, middle: true, open_spans: true })?;
    }

    #[test]
    fn every_switch_both_formats(seed in any::<u64>(), d in dumps(), f2019 in any::<bool>()) {
        let format = if f2019 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        check(seed, format, d)?;
    }
}

/// Cases the property tests once found (kept as plain tests so they run every time).
#[test]
fn found_cases() {
    // A 9-character amount (477681.28) cut at an 8-column cell's edge: one figure, not two.
    let d = Dump { style: Style::Box, wrap: Some(8), middle: false, open_spans: false };
    check(13495665494535244906, FormatVersion::F2019, d).unwrap();
}

/// Narrow cells, so that long amounts are cut inside the figure, as fixed-width table writers
/// (Python's texttable, a word processor's plain-text export) do.
#[test]
fn figures_cut_at_a_narrow_cells_edge() {
    proptest!(ProptestConfig::with_cases(40), |(seed in any::<u64>(), w in 4usize..9, ascii in any::<bool>())| {
        let style = if ascii { Style::Ascii } else { Style::Box };
        check(seed, FormatVersion::F2021, Dump { style, wrap: Some(w), ..Dump::default() })?;
    });
}

/// A report's cells as `Report::cell_values` lists them.
type Cells = Vec<(String, Option<String>)>;

/// The corpus's HTML pages, each with its own reading (every table cell), or `None` (a loud
/// skip) when the corpus is not there.
fn corpus_pages(what: &str) -> Option<Vec<(std::path::PathBuf, Cells)>> {
    let corpus = gongkai_testkit::corpus(what)?;
    let mut pages = Vec::new();
    let mut dirs = vec![corpus.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                pages.push(p);
            }
        }
    }
    pages.sort();
    assert!(!pages.is_empty(), "no HTML page in {}", corpus.display());
    Some(
        pages
            .into_iter()
            .map(|page| {
                let bytes = std::fs::read(&page).unwrap();
                let want = parse_bytes(&bytes[..], Some(&page.display().to_string())).report.cell_values();
                assert!(want.len() >= 100, "{}: the page itself reads only {} cells", page.display(), want.len());
                (page, want)
            })
            .collect(),
    )
}

/// Run a converter; `None` when it is not installed.
fn converter(program: &str, args: &[&str], page: &std::path::Path) -> Option<Vec<u8>> {
    let out = std::process::Command::new(program).args(args).arg(page).output().ok()?;
    assert!(out.status.success(), "{program} failed on {}: {}", page.display(), String::from_utf8_lossy(&out.stderr));
    Some(out.stdout)
}

/// Every cell of `want` read from `bytes` (a file of unknown kind), and nothing else.
fn same_cells(want: &Cells, bytes: &[u8], what: &str) {
    let got = parse_bytes(bytes, None).report.cell_values();
    let diff: Vec<_> =
        want.iter().filter(|c| !got.contains(c)).chain(got.iter().filter(|c| !want.contains(c))).collect();
    assert!(diff.is_empty(), "{what}: {} cells differ: {diff:?}", diff.len());
}

/// The real web pages of the corpus as `w3m -dump` writes them, at several widths (narrow
/// ones wrap the labels and draw merged cells' text over rules): every table cell as read
/// from the page itself. Needs `w3m` (`.ci/run` installs it); without it, a loud skip.
#[test]
fn real_pages_through_w3m_read_as_the_pages() {
    const WHAT: &str = "real pages through w3m (nothing was checked)";
    let Some(pages) = corpus_pages(WHAT) else { return };
    for (page, want) in pages {
        for cols in [60, 80, 120, 200] {
            let args = ["-dump", "-T", "text/html", "-O", "UTF-8", "-cols", &cols.to_string()];
            let Some(out) = converter("w3m", &args, &page) else {
                gongkai_testkit::skipped(WHAT, "w3m is not installed");
                return;
            };
            same_cells(&want, &out, &format!("{} at {cols} columns", page.display()));
        }
    }
}

/// The real web pages as Python's `html2text` (a crawler's usual converter) writes them, at
/// its default settings and wrapping prose at 40 columns: every cell as the page reads.
/// (`--pad-tables` with cells holding paragraphs pads the empty lines too, so that nothing
/// marks where a row ends; that option is not read.) Needs Debian's
/// `python3-html2text` (`.ci/run` installs it); without it, a loud skip.
#[test]
fn real_pages_through_python_html2text_read_as_the_pages() {
    const WHAT: &str = "real pages through Python's html2text (nothing was checked)";
    let Some(pages) = corpus_pages(WHAT) else { return };
    let python = ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        std::process::Command::new(p).args(["-c", "import html2text"]).output().is_ok_and(|o| o.status.success())
    });
    let Some(python) = python else {
        gongkai_testkit::skipped(WHAT, "Python's html2text module is not installed");
        return;
    };
    for (page, want) in pages {
        for extra in [&[][..], &["--body-width=40"][..]] {
            let mut args = vec!["-m", "html2text"];
            args.extend_from_slice(extra);
            let out = converter(python, &args, &page).expect("python3 runs");
            same_cells(&want, &out, &format!("{} through html2text {extra:?}", page.display()));
        }
    }
}

/// The real web pages as pandoc writes them to GitHub Markdown (inline `<span>`s kept, the
/// merged-cell tables as HTML), to CommonMark, and to its own Markdown (bracketed spans,
/// `:::` fences, simple tables): every cell as the page reads. Needs pandoc
/// (`.ci/run` installs it); without it, a loud skip.
#[test]
fn real_pages_through_pandoc_read_as_the_pages() {
    const WHAT: &str = "real pages through pandoc (nothing was checked)";
    let Some(pages) = corpus_pages(WHAT) else { return };
    for (page, want) in pages {
        for to in ["gfm", "commonmark", "markdown"] {
            let Some(out) = converter("pandoc", &["-f", "html", "-t", to, "--quiet"], &page) else {
                gongkai_testkit::skipped(WHAT, "pandoc is not installed");
                return;
            };
            same_cells(&want, &out, &format!("{} through pandoc -t {to}", page.display()));
        }
    }
}

/// The real web pages as LibreOffice's text export writes them (`soffice --convert-to txt`:
/// one cell a line, blank cells as empty lines): every cell as the page reads, the page's 125
/// blank cells included. Needs LibreOffice (`.ci/run` installs it); without it, a loud skip.
#[test]
fn real_pages_through_libreoffice_text_export_read_as_the_pages() {
    const WHAT: &str = "real pages through LibreOffice's text export (nothing was checked)";
    let Some(pages) = corpus_pages(WHAT) else { return };
    if std::process::Command::new("soffice").arg("--version").output().is_err() {
        gongkai_testkit::skipped(WHAT, "LibreOffice (soffice) is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("gongkai-lo-text-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A private profile, so parallel runs and a user's open LibreOffice do not interfere.
    let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
    for (page, want) in pages {
        let out = std::process::Command::new("soffice")
            .args(["--headless", &profile, "--convert-to", "txt:Text (encoded):UTF8", "--outdir"])
            .arg(&dir)
            .arg(&page)
            .output()
            .expect("soffice runs");
        let txt = dir.join(page.with_extension("txt").file_name().unwrap());
        let bytes = std::fs::read(&txt).unwrap_or_else(|e| {
            panic!("LibreOffice wrote no text for {}: {e}: {}", page.display(), String::from_utf8_lossy(&out.stderr))
        });
        same_cells(&want, &bytes, &format!("{} through LibreOffice's text export", page.display()));
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A scraper's text that lost its blank cells (values right under their labels, rows parted by
/// empty lines) is never read by line distance because of one stray line elsewhere (a page
/// counter two lines under its label): the short row is refused, never shifted.
#[test]
fn a_stray_line_does_not_make_a_scrapers_text_read_by_lines() {
    let t = "沭阳县某局2023年政府信息公开工作年度报告\n\n浏览次数：\n\n356\n\n一、总体情况\n\n2023年，本局做好公开工作。\n\n\
             二、主动公开政府信息情况\n\n第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n\
             规章\n0\n0\n5\n\n行政规范性文件\n3\n12\n\n第二十条第（五）项\n信息内容\n本年处理决定数量\n行政许可\n7\n\n\
             三、收到和处理政府信息公开申请情况\n\n四、政府信息公开行政复议、行政诉讼情况\n\n五、存在的主要问题及改进情况\n\n无。\n";
    let p = parse_str(t, Kind::Text);
    let norm = p.report.cell_values().into_iter().filter(|c| c.0.starts_with("T2.NORM")).collect::<Vec<_>>();
    assert!(norm.is_empty(), "the short row was read: {norm:?}");
    assert!(!p.findings.iter().any(|f| f.rule == "P4" && f.message.contains("空行")), "{:?}", p.findings);
}
