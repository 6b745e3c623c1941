//! Property test of report pages as sites publish them (`gongkai_synth::cms`): generated
//! 2021-format reports written as HTML, then rewritten with thousands separators or
//! full-width digits, CMS markup (`<td>` for every header, `<p><span>` in cells, `&nbsp;`,
//! `<br>` in labels, a split `<tbody>`), labels justified with spaces, and table 二's columns
//! in another order. Every cell must be read exactly: the values never change.

use gongkai_model::FormatVersion;
use gongkai_parse::{Kind, parse_str};
use gongkai_render::TextShape;
use gongkai_synth::cms::{Cms, Digits, cms_page, markdown, pdf_lines};
use gongkai_synth::{SynthOptions, report};
use proptest::prelude::*;

fn check(seed: u64, cms: Cms) -> Result<(), TestCaseError> {
    let r = report(seed, &SynthOptions { format: FormatVersion::F2021, target_bytes: 1_500 });
    let page = cms_page(&gongkai_render::html(&r), cms, seed);
    // Grouping touches only numbers ≥ 1000, which a page may lack; wrapping and layout are for
    // PDF text only; every other rewrite always changes the page.
    let html_rewrite = cms.digits == Digits::FullWidth
        || cms.markup
        || cms.spaced
        || cms.t2_order
        || cms.unnumbered
        || cms.serial
        || cms.continued;
    if html_rewrite {
        prop_assert_ne!(&page, &gongkai_render::html(&r), "{:?} changed nothing", cms);
    }
    let lines = pdf_lines(&gongkai_render::text(&r, TextShape::Lines), cms, seed);
    // (Spaced-out headers no longer end in 件数 and stay on one line.)
    if cms.wrapped && !cms.spaced {
        prop_assert!(lines.contains("\n件数 件数 件数\n"), "{}", lines);
    }
    same(&r, "html", &page, parse_str(&page, Kind::Html), cms)?;
    same(&r, "pdf text", &lines, parse_str(&lines, Kind::Text), cms)?;
    let md = markdown(&gongkai_render::markdown(&r), cms, seed);
    same(&r, "markdown", &md, parse_str(&md, Kind::Text), cms)
}

fn same(
    r: &gongkai_model::Report,
    shape: &str,
    page: &str,
    p: gongkai_parse::Parsed,
    cms: Cms,
) -> Result<(), TestCaseError> {
    let (want, got) = (r.cell_values(), p.report.cell_values());
    let diff: Vec<_> =
        want.iter().filter(|c| !got.contains(c)).chain(got.iter().filter(|c| !want.contains(c))).collect();
    prop_assert!(diff.is_empty(), "{shape} {cms:?}: cells differ {diff:?}\nfindings {:#?}\n{page}", p.findings);
    prop_assert_eq!(p.report.format, FormatVersion::F2021);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn thousands_separators(seed in any::<u64>()) {
        check(seed, Cms { digits: Digits::Thousands, ..Cms::default() })?;
    }

    #[test]
    fn full_width_digits(seed in any::<u64>()) {
        check(seed, Cms { digits: Digits::FullWidth, ..Cms::default() })?;
    }

    #[test]
    fn cms_markup(seed in any::<u64>()) {
        check(seed, Cms { markup: true, ..Cms::default() })?;
    }

    #[test]
    fn labels_spaced_out(seed in any::<u64>()) {
        check(seed, Cms { spaced: true, ..Cms::default() })?;
    }

    #[test]
    fn table3_without_item_numbers(seed in any::<u64>()) {
        check(seed, Cms { unnumbered: true, ..Cms::default() })?;
    }

    #[test]
    fn all_at_once(seed in any::<u64>(), digits in 0usize..3, flags in 0u8..=255) {
        let digits = [Digits::Plain, Digits::Thousands, Digits::FullWidth][digits];
        let on = |bit: u8| flags & (1 << bit) != 0;
        prop_assume!(flags != 0 || digits != Digits::Plain);
        check(seed, Cms { digits, markup: on(0), spaced: on(1), t2_order: on(2), unnumbered: on(3), serial: on(4), wrapped: on(5), layout: on(6), continued: on(7) })?;
    }

    #[test]
    fn table3_serial_column(seed in any::<u64>()) {
        check(seed, Cms { serial: true, ..Cms::default() })?;
    }

    #[test]
    fn pdf_labels_wrapped(seed in any::<u64>()) {
        check(seed, Cms { wrapped: true, ..Cms::default() })?;
    }

    #[test]
    fn pdf_layout_columns(seed in any::<u64>(), spaced in any::<bool>()) {
        check(seed, Cms { layout: true, spaced, ..Cms::default() })?;
    }

    #[test]
    fn table3_continued(seed in any::<u64>()) {
        check(seed, Cms { continued: true, ..Cms::default() })?;
    }

    #[test]
    fn table2_columns_reordered(seed in any::<u64>()) {
        check(seed, Cms { t2_order: true, ..Cms::default() })?;
    }
}
