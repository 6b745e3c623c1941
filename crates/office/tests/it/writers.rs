//! What the writers put into the files: GB/T 9704 page geometry and fonts in the DOCX
//! (SPEC §7.4), the template's merges and live SUM totals with cached values in the XLSX,
//! and the seed report surviving DOCX and XLSX unchanged.

use std::io::{Cursor, Read};

use gongkai_model::{Cell, Col, Report, T3Row};
use rust_decimal::Decimal;

fn part(zip: &[u8], name: &str) -> String {
    let mut ar = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut s = String::new();
    ar.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn docx_page_and_fonts_follow_gbt9704() {
    let r = gongkai_synth::report(3, &gongkai_synth::SynthOptions::default());
    let d = gongkai_office::docx(&r);
    let doc = part(&d, "word/document.xml");
    // A4 (11906 × 16838 twips); margins 37/26/35/28 mm.
    assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"), "{doc}");
    assert!(doc.contains("w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""));
    // Every table is exactly the 156 mm text width.
    let text_w = gongkai_office::docx_write::text_width();
    assert_eq!(text_w, 8844);
    assert_eq!(doc.matches(&format!("<w:tblW w:w=\"{text_w}\" w:type=\"dxa\"/>")).count(), 3);
    for tbl in doc.split("<w:tblGrid>").skip(1) {
        let grid = &tbl[..tbl.find("</w:tblGrid>").unwrap()];
        let sum: u32 = grid.split("w:w=\"").skip(1).map(|x| x[..x.find('"').unwrap()].parse::<u32>().unwrap()).sum();
        assert_eq!(sum, text_w);
    }
    let styles = part(&d, "word/styles.xml");
    for font in ["方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"] {
        assert!(
            styles.contains(&format!("<w:rFonts w:ascii=\"{font}\" w:eastAsia=\"{font}\" w:hAnsi=\"{font}\"")),
            "{font}"
        );
    }
    // 2号 title (44 half-points), 3号 body (32), fixed 28 pt lines (560 twips).
    assert!(styles.contains("<w:sz w:val=\"44\"/>") && styles.contains("<w:sz w:val=\"32\"/>"));
    assert!(styles.contains("w:line=\"560\" w:lineRule=\"exact\""));
    // Template spans of table 三 (2021): the note spans 3 columns and 3 rows; 三、本年度办理结果
    // spans 22 rows (one restart and 21 continuations in the first column).
    assert!(doc.contains("<w:gridSpan w:val=\"3\"/><w:vMerge w:val=\"restart\"/>"));
    let t3 = doc.split("<w:tbl>").nth(2).unwrap();
    let first_col_continues = t3
        .split("<w:tr>")
        .filter(|row| row.split("<w:tc>").nth(1).is_some_and(|c| c.contains("<w:vMerge/>") && !c.contains("gridSpan")))
        .count();
    assert_eq!(first_col_continues, 21);
}

fn xlsx_sheet(r: &Report, n: usize) -> String {
    part(&gongkai_office::xlsx(r), &format!("xl/worksheets/sheet{n}.xml"))
}

#[test]
fn xlsx_totals_are_live_formulas_with_cached_values() {
    let r = gongkai_synth::report(9, &gongkai_synth::SynthOptions::default());
    let t3 = xlsx_sheet(&r, 3);
    // R1 is sheet row 4; its 总计 (column J) sums D4:I4 (E3) and carries the value.
    let tot = r.t3(T3Row::R1, Col::Tot).and_then(Cell::as_number).unwrap();
    assert!(t3.contains(&format!("<c r=\"J4\" s=\"3\"><f>SUM(D4:I4)</f><v>{tot}</v></c>")), "{t3}");
    // （七）总计 sums the result rows of its column (E2).
    let r37 = 3 + gongkai_model::T3Row::ROWS_2021.iter().position(|x| *x == T3Row::R3_7).unwrap() + 1;
    let np = r.t3(T3Row::R3_7, Col::Np).and_then(Cell::as_number).unwrap();
    assert!(t3.contains(&format!("<c r=\"D{r37}\" s=\"3\"><f>SUM(D6:D{})</f><v>{np}</v></c>", r37 - 1)), "{t3}");
    // Merged template headers.
    assert!(t3.contains("<mergeCell ref=\"A1:C3\"/>") && t3.contains("<mergeCell ref=\"D1:J1\"/>"));
    let t4 = xlsx_sheet(&r, 4);
    assert!(t4.contains("<f>SUM(A4:D4)</f>") && t4.contains("<mergeCell ref=\"F1:O1\"/>"));
}

#[test]
fn xlsx_inconsistent_total_keeps_the_printed_value() {
    // A report whose 总计 does not add up: the published number is written as a value, not
    // a formula that Excel would silently "correct".
    let mut r = gongkai_synth::report(9, &gongkai_synth::SynthOptions::default());
    let wrong = r.t3(T3Row::R1, Col::Tot).and_then(Cell::as_number).unwrap() + Decimal::ONE;
    r.table3.get_mut(&T3Row::R1).unwrap().insert(Col::Tot, Cell::number(wrong));
    // A placeholder keeps its raw text; a blank stays an empty cell.
    r.table3.get_mut(&T3Row::R2).unwrap().insert(Col::Res, Cell::from_raw("—", None));
    r.table3.get_mut(&T3Row::R2).unwrap().insert(Col::Ngo, Cell::blank());
    let t3 = xlsx_sheet(&r, 3);
    assert!(t3.contains(&format!("<c r=\"J4\" s=\"3\"><v>{wrong}</v></c>")), "{t3}");
    assert!(t3.contains("<c r=\"G5\" s=\"3\"/>"), "blank G5");
    let p = gongkai_office::parse_xlsx(&gongkai_office::xlsx(&r), None).unwrap();
    assert_eq!(p.report.t3(T3Row::R1, Col::Tot).and_then(Cell::as_number), Some(wrong));
    assert_eq!(p.report.t3(T3Row::R2, Col::Res).map(|c| c.raw.as_str()), Some("—"));
    assert_eq!(p.report.t3(T3Row::R2, Col::Ngo).map(|c| &c.value), Some(&gongkai_model::CellValue::Blank));
    assert!(gongkai_rules::check(&p.report).iter().any(|f| f.rule == "E3"), "the checker still sees it");
}

fn seed() -> Option<Vec<u8>> {
    gongkai_testkit::seed("a test over the seed report")
}

/// Table cells as (id, state, raw) — blanks, placeholders and numbers alike.
fn cells(r: &Report) -> Vec<(String, String)> {
    let show = |c: &Cell| match c.as_number() {
        Some(d) => format!("{:?}:{}", std::mem::discriminant(&c.value), d.normalize()),
        None => format!("{:?}:{}", c.value, c.raw),
    };
    r.named_cells().map(|(name, c)| (name, show(c))).collect()
}

#[test]
fn seed_report_survives_docx_and_xlsx() {
    let Some(bytes) = seed() else { return };
    let original = gongkai_parse::parse_bytes(&bytes, Some("000_64ff3bdd190e597a.txt")).report;
    assert!(original.table3.len() >= 20, "seed tables parsed");
    let before = cells(&original);
    let docx = gongkai_office::parse_docx(&gongkai_office::docx(&original), Some("seed.docx")).unwrap();
    let xlsx = gongkai_office::parse_xlsx(&gongkai_office::xlsx(&original), Some("seed.xlsx")).unwrap();
    for p in [&docx, &xlsx] {
        assert_eq!(cells(&p.report), before, "{}", p.report.source.kind);
        assert_eq!(p.report.format, original.format);
        assert_eq!(p.report.year.as_ref().map(|y| y.value), original.year.as_ref().map(|y| y.value));
        // Sections keep their printed headings and prose; a missing one (the seed has no
        // 六) is not invented.
        let secs = |r: &Report| r.sections.iter().map(|s| (s.heading.clone(), s.paras.len())).collect::<Vec<_>>();
        assert_eq!(secs(&p.report), secs(&original));
    }
    // The checker finds the same defects in the seed whichever way it was stored.
    let rules = |r: &Report| {
        let mut v: Vec<String> = gongkai_rules::check(r).into_iter().map(|f| f.rule).collect();
        v.sort();
        v
    };
    assert_eq!(rules(&docx.report), rules(&original));
    assert_eq!(rules(&xlsx.report), rules(&original));
}

#[test]
fn writers_keep_files_valid_for_odd_text() {
    // Control characters and U+FFFF are not allowed in XML; a 40,000-character paragraph
    // does not fit one Excel cell (32,767).
    let mut r = gongkai_synth::report(4, &gongkai_synth::SynthOptions::default());
    let s = &mut r.sections[0].paras[0];
    s.text = format!("开头\u{1}\u{FFFF}<&>\"'{}", "长".repeat(40_000));
    let docx = gongkai_office::parse_docx(&gongkai_office::docx(&r), None).unwrap();
    let first = &docx.report.sections[0].paras[0].text;
    assert!(first.starts_with("开头<&>\"'长"), "{}", &first[..40]);
    assert_eq!(first.chars().count(), 7 + 40_000);
    let x = gongkai_office::xlsx(&r);
    let sst = part(&x, "xl/sharedStrings.xml");
    let longest = sst.split("<si>").map(|si| si.chars().count()).max().unwrap();
    assert!(longest < 32_767 + 64, "{longest}");
    let p = gongkai_office::parse_xlsx(&x, None).unwrap();
    let joined: String = p.report.sections[0].paras.iter().take(2).map(|p| p.text.as_str()).collect();
    assert!(joined.starts_with("开头<&>\"'长") && joined.chars().count() == 7 + 40_000);
}

#[test]
fn docx_fonts_have_fallbacks_and_groups_keep_together() {
    let r = gongkai_synth::report(3, &gongkai_synth::SynthOptions::default());
    let d = gongkai_office::docx(&r);
    let fonts = part(&d, "word/fontTable.xml");
    for (font, alt, family) in [
        ("仿宋_GB2312", "仿宋", "roman"),
        ("仿宋", "FangSong", "roman"),
        ("楷体_GB2312", "楷体", "roman"),
        ("楷体", "KaiTi", "roman"),
        ("方正小标宋简体", "宋体", "roman"),
        ("宋体", "SimSun", "roman"),
        ("黑体", "SimHei", "swiss"),
    ] {
        let entry = fonts.split(&format!("<w:font w:name=\"{font}\">")).nth(1).expect(font);
        let entry = &entry[..entry.find("</w:font>").unwrap()];
        assert!(entry.contains(&format!("<w:altName w:val=\"{alt}\"/>")), "{font}");
        assert!(entry.contains(&format!("<w:family w:val=\"{family}\"/>")), "{font}");
    }
    assert!(part(&d, "word/_rels/document.xml.rels").contains("Target=\"fontTable.xml\""));
    assert!(part(&d, "[Content_Types].xml").contains("/word/fontTable.xml"));
    // Table 三: the rows of （三）不予公开 but its last keep with the next; the group's last row
    // and the next group's first do not tie the groups together.
    let doc = part(&d, "word/document.xml");
    let t3 = doc.split("<w:tbl>").nth(2).unwrap();
    let row = |label: &str| t3.split("<w:tr>").find(|r| r.contains(&format!(">{label}<"))).unwrap().to_string();
    assert!(row("1.属于国家秘密").contains("<w:keepNext/>"));
    assert!(row("7.属于行政执法案卷").contains("<w:keepNext/>"));
    assert!(!row("8.属于行政查询事项").contains("<w:keepNext/>"));
    assert!(!row("（一）予以公开").contains("<w:keepNext/>"));
}

#[test]
fn letter_closing_block_stays_with_the_last_paragraph() {
    let paras = vec!["第一段。".to_string(), "第二段。".to_string(), "联系方式：办公室。".to_string()];
    let d = gongkai_office::docx_letter(
        "收费通知书",
        "示科依申请公开〔2024〕费第015号",
        "张三：",
        &paras,
        "示例县科学技术局",
        "2024年10月18日",
    );
    let doc = part(&d, "word/document.xml");
    let para_of = |text: &str| {
        let at = doc.find(text).unwrap();
        let start = doc[..at].rfind("<w:p>").unwrap();
        doc[start..at].to_string()
    };
    assert!(!para_of("第二段。").contains("keepNext"));
    for t in ["联系方式：办公室。", "示例县科学技术局"] {
        assert!(para_of(t).contains("<w:keepNext/><w:keepLines/>"), "{t}");
    }
    assert!(para_of("2024年10月18日").contains("<w:keepLines/>"));
}
