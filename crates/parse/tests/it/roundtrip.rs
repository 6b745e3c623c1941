//! Property test: randomly generated valid reports, written out as text (four export
//! shapes) and as HTML, parse back equal — every table value, the title, organ, year,
//! format, section structure and prose — with no parse findings.

use gongkai_model::{FormatVersion, Report};
use gongkai_parse::{Kind, parse_str};
use gongkai_render::{TEXT_SHAPES, TextShape};
use gongkai_synth::{SynthOptions, report};
use proptest::prelude::*;

/// What must survive writing and reading: data without provenance.
fn roundtrip(original: &Report, written: &str, kind: Kind) -> Result<(), TestCaseError> {
    let parsed = parse_str(written, kind);
    let problems: Vec<_> = parsed.findings.iter().filter(|f| f.rule != "P4").collect();
    prop_assert!(problems.is_empty(), "parse findings {:?}\n{}", problems, written);
    let (a, b) = (gongkai_synth::essentials(original), gongkai_synth::essentials(&parsed.report));
    prop_assert_eq!(&a.title, &b.title);
    prop_assert_eq!(&a.organ, &b.organ);
    prop_assert_eq!(a.year, b.year);
    prop_assert_eq!(a.format, b.format);
    prop_assert_eq!(&a.sections, &b.sections, "{}", written);
    prop_assert_eq!(&a.cells, &b.cells);
    Ok(())
}

fn format_strategy() -> impl Strategy<Value = FormatVersion> {
    prop_oneof![Just(FormatVersion::F2021), Just(FormatVersion::F2019)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn text_shapes_parse_back_equal(seed in any::<u64>(), format in format_strategy(), shape in 0usize..4) {
        let r = report(seed, &SynthOptions { format, target_bytes: 3_000 });
        let shape: TextShape = TEXT_SHAPES[shape];
        roundtrip(&r, &gongkai_render::text(&r, shape), Kind::Text)?;
    }

    #[test]
    fn html_parses_back_equal(seed in any::<u64>(), format in format_strategy()) {
        let r = report(seed, &SynthOptions { format, target_bytes: 3_000 });
        roundtrip(&r, &gongkai_render::html(&r), Kind::Html)?;
    }

    #[test]
    fn markdown_parses_back_equal(seed in any::<u64>(), format in format_strategy()) {
        let r = report(seed, &SynthOptions { format, target_bytes: 3_000 });
        roundtrip(&r, &gongkai_render::markdown(&r), Kind::Text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// The HTML page written into a script (a `.js` file, a JSON answer, or a page that fills
    /// its body from a `<script>`), with random escapes, parses back equal; the only parse
    /// finding says where the report was found, and every cell points at its element in the
    /// original file.
    #[test]
    fn html_inside_a_script_parses_back_equal(seed in any::<u64>(), format in format_strategy(), shape in 0usize..3) {
        use gongkai_synth::script::{SCRIPT_SHAPES, in_script};
        let r = report(seed, &SynthOptions { format, target_bytes: 3_000 });
        let shape = SCRIPT_SHAPES[shape];
        let written = in_script(&gongkai_render::html(&r), shape, seed);
        let name = match shape {
            gongkai_synth::script::ScriptShape::JsFile => "nb.js",
            gongkai_synth::script::ScriptShape::Json => "nb.json",
            gongkai_synth::script::ScriptShape::HtmlPage => "nb.html",
        };
        let parsed = gongkai_parse::parse_bytes(written.as_bytes(), Some(name));
        let problems: Vec<_> = parsed.findings.iter().filter(|f| f.rule != "P4").collect();
        prop_assert_eq!(problems.len(), 1, "{:?}", problems);
        prop_assert!(problems[0].message.starts_with("报告正文在脚本的字符串中"));
        let (a, b) = (gongkai_synth::essentials(&r), gongkai_synth::essentials(&parsed.report));
        prop_assert_eq!(&a.title, &b.title);
        prop_assert_eq!(&a.organ, &b.organ);
        prop_assert_eq!(a.year, b.year);
        prop_assert_eq!(a.format, b.format);
        prop_assert_eq!(&a.sections, &b.sections);
        prop_assert_eq!(&a.cells, &b.cells);
        for (name, c) in parsed.report.named_cells() {
            let s = c.src.unwrap();
            // The cell's element in the original file (as the HTML front end locates cells),
            // holding the printed digits.
            let slice = &parsed.text[s.start as usize..s.end as usize];
            prop_assert!(slice.starts_with("<td") && slice.contains(c.raw.as_str()), "{}: {}", name, slice);
            // Line and column agree with the byte offset.
            let before = &parsed.text[..s.start as usize];
            prop_assert_eq!(s.line as usize, before.matches('\n').count() + 1);
            prop_assert_eq!(s.col as usize, before.rsplit('\n').next().unwrap().chars().count() + 1);
        }
    }
}
