//! Year, organ and format inference (issue 13 part 3): on generated title-less excerpts
//! (property test) and on every real excerpt and report of `../shared/corpus`, whose
//! `index.tsv` files hold the truth.

use crate::common::shared;
use std::path::Path;

use gongkai_model::{FormatBasis, FormatVersion, YearBasis};
use gongkai_parse::{Kind, parse_str};
use gongkai_synth::excerpt::{FormatCue, YearCue, excerpt};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn title_less_excerpts_give_year_organ_and_format(seed in any::<u64>()) {
        let e = excerpt(seed);
        let p = parse_str(&e.text, Kind::Text);
        let r = &p.report;
        prop_assert!(r.title.is_none(), "{}", e.text);
        prop_assert_eq!(r.year.as_ref().map(|y| y.value), Some(e.year), "{}", e.text);
        // The fallback points at the year it read: the words, or (weakest) the address.
        let y = r.year.as_ref().unwrap();
        let at = &e.text[y.src.start as usize..y.src.end as usize];
        if e.year_cue == YearCue::Url {
            prop_assert_eq!(r.year_basis, Some(YearBasis::Url));
            prop_assert!(at.starts_with("https://") && !at.contains(char::is_whitespace), "{}", at);
        } else {
            prop_assert_eq!(r.year_basis, Some(YearBasis::Text));
            prop_assert_eq!(at, format!("{}年", e.year));
        }
        if let Some(o) = &e.organ {
            prop_assert_eq!(r.organ.as_ref().map(|o| o.value.as_str()), Some(o.as_str()), "{}", e.text);
        }
        prop_assert_eq!(r.format, e.format, "{}", e.text);
        let basis = match e.format_cue {
            FormatCue::Citation => FormatBasis::Citation,
            FormatCue::Structure if e.format == FormatVersion::Pre2019 => FormatBasis::Structure,
            FormatCue::Structure => FormatBasis::Year,
        };
        prop_assert_eq!(r.format_basis, Some(basis), "{}", e.text);
        if e.format_cue == FormatCue::Citation {
            prop_assert_eq!(r.format_cited.as_ref().map(|c| c.value), Some(e.format));
        }
        // Every cue shape is drawn (the generator's own test checks the mix).
        prop_assert!(matches!(e.year_cue, YearCue::Period | YearCue::Announce | YearCue::Overview | YearCue::Url));
    }
}

fn truth_format(s: &str) -> FormatVersion {
    match s {
        "2021" => FormatVersion::F2021,
        "2019" => FormatVersion::F2019,
        "pre2019" => FormatVersion::Pre2019,
        _ => FormatVersion::Unknown,
    }
}

/// The truth of `index.tsv` against the parse, for every file of a corpus folder (PDFs
/// through pdftotext, said loudly when it is missing). Year and format must both be right,
/// each with its basis, which is printed for the closing note.
fn check_folder(dir: &Path) -> Vec<String> {
    let index = std::fs::read_to_string(dir.join("index.tsv")).unwrap();
    let mut wrong = Vec::new();
    let mut seen = 0;
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, year, format) = (cols[0], cols[3].parse::<i32>().ok(), truth_format(cols[4]));
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let p = if gongkai_parse::is_pdf(&bytes) {
            if !gongkai_pdf::available() {
                gongkai_testkit::skipped(file, "pdftotext (poppler-utils) is not installed");
                continue;
            }
            gongkai_parse::parse_pdf_text(gongkai_pdf::pdf_to_text(&bytes).unwrap(), bytes.len(), Some(file))
        } else {
            gongkai_parse::parse_bytes(&bytes, Some(file))
        };
        seen += 1;
        let r = &p.report;
        let got_year = r.year.as_ref().map(|y| y.value);
        eprintln!(
            "{file}: year {got_year:?} ({:?}), format {:?} ({:?}), cited {:?}, organ {:?}; truth {year:?} {format:?}",
            r.year_basis,
            r.format,
            r.format_basis,
            r.format_cited.as_ref().map(|c| c.value),
            r.organ.as_ref().map(|o| o.value.as_str())
        );
        if got_year != year {
            wrong.push(format!("{file}: year {got_year:?} ({:?}), truth {year:?}", r.year_basis));
        }
        if got_year.is_some() && r.year_basis.is_none() {
            wrong.push(format!("{file}: year without a basis"));
        }
        if r.format != format {
            wrong.push(format!("{file}: format {:?} ({:?}), truth {format:?}", r.format, r.format_basis));
        }
        if r.format != FormatVersion::Unknown && r.format_basis.is_none() {
            wrong.push(format!("{file}: format without a basis"));
        }
    }
    assert!(seen > 0, "no file of {} was read", dir.display());
    wrong
}

#[test]
fn real_excerpts_year_and_format() {
    let Some(shared) = shared() else { return };
    let wrong = check_folder(&shared.join("corpus/partial"));
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn real_reports_year_and_format() {
    let Some(shared) = shared() else { return };
    let wrong = check_folder(&shared.join("corpus/reports"));
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The crawler exports (`corpus/crawl`, truth in its README's table: file | year | format):
/// the title sits in the metadata header, the outline is pre-2019.
#[test]
fn crawl_exports_year_and_format() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("corpus/crawl");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let mut seen = 0;
    for line in readme.lines().filter(|l| l.starts_with("| 0")) {
        let cols: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (file, year, format) = (cols[0], cols[1].parse::<i32>().unwrap(), truth_format(cols[2]));
        let p = gongkai_parse::parse_bytes(std::fs::read(dir.join(file)).unwrap(), Some(file));
        let r = &p.report;
        eprintln!(
            "{file}: year {:?} ({:?}), format {:?} ({:?})",
            r.year.as_ref().map(|y| y.value),
            r.year_basis,
            r.format,
            r.format_basis
        );
        assert_eq!(r.year.as_ref().map(|y| y.value), Some(year), "{file}");
        assert_eq!(r.format, format, "{file}");
        assert!(r.format_basis.is_some(), "{file}");
        seen += 1;
    }
    assert_eq!(seen, 2);
}
