use super::*;
use gongkai_model::report::Located;
use gongkai_model::{Cell, Col, FormatVersion, Para, Section, Src, T2Col, T2Row, T3Row, T4Group, T4Outcome};
use gongkai_synth::{SynthOptions, report};
use rust_decimal::Decimal;

fn located<T>(value: T) -> Located<T> {
    Located { value, src: Src::default() }
}

fn para(t: &str) -> Para {
    Para { text: t.to_string(), src: Src::default(), verbatim: false }
}

/// A small fixed 2021-format report, built by hand (not random) for the snapshots.
fn fixture() -> Report {
    let mut r = Report::empty();
    r.format = FormatVersion::F2021;
    r.title = Some(located("2024年南关区民政局政府信息公开工作年度报告".to_string()));
    r.organ = Some(located("南关区民政局".to_string()));
    r.year = Some(located(2024));
    let paras: [&[&str]; 6] = [
        &[
            "2024年，南关区民政局认真贯彻落实《中华人民共和国政府信息公开条例》。",
            "（一）主动公开。全年主动公开政府信息120条。",
        ],
        &[],
        &[],
        &[],
        &["一是政策解读形式不够丰富；二是更新不够及时。"],
        &["本年度未收取信息处理费。", "南关区民政局", "2025年1月20日"],
    ];
    r.sections = paras
        .iter()
        .enumerate()
        .map(|(i, ps)| {
            let id = SectionId(i as u8 + 1);
            Section {
                id,
                heading: id.official_heading().to_string(),
                number: Some(u32::from(id.0)),
                src: Src::default(),
                paras: ps.iter().map(|t| para(t)).collect(),
            }
        })
        .collect();
    let t2: [(T2Row, &[(T2Col, Decimal)]); 6] = [
        (T2Row::Reg, &[(T2Col::Issued, 0.into()), (T2Col::Repealed, 0.into()), (T2Col::Valid, 0.into())]),
        (T2Row::Norm, &[(T2Col::Issued, 3.into()), (T2Col::Repealed, 1.into()), (T2Col::Valid, 12.into())]),
        (T2Row::License, &[(T2Col::Decisions, 57.into())]),
        (T2Row::Penalty, &[(T2Col::Decisions, 4.into())]),
        (T2Row::Coercion, &[(T2Col::Decisions, 0.into())]),
        (T2Row::Fee, &[(T2Col::Amount, Decimal::new(1250, 2))]),
    ];
    for (row, cols) in t2 {
        r.table2.insert(row, cols.iter().map(|(c, v)| (*c, Cell::number(*v))).collect());
    }
    // Natural persons only: 5 new + 1 carried over = 4 公开 + 1 不掌握 + 1 carried forward.
    for row in T3Row::ROWS_2021 {
        let np: u64 = match row {
            T3Row::R1 => 5,
            T3Row::R2 => 1,
            T3Row::R3_1 => 4,
            T3Row::R3_4_1 => 1,
            T3Row::R3_7 => 5,
            T3Row::R4 => 1,
            _ => 0,
        };
        let m = r.table3.entry(*row).or_default();
        for c in Col::ALL {
            let v = if matches!(c, Col::Np | Col::Tot) { np } else { 0 };
            m.insert(*c, Cell::number(v));
        }
    }
    for g in T4Group::ALL {
        let m = r.table4.entry(*g).or_default();
        for o in T4Outcome::ALL {
            let v = if *g == T4Group::Rv && matches!(o, T4Outcome::Maint | T4Outcome::Tot) { 1 } else { 0 };
            m.insert(*o, Cell::number(v));
        }
    }
    r
}

#[test]
fn snapshot_text_cell_per_line() {
    insta::assert_snapshot!("fixture_cell_per_line", text(&fixture(), TextShape::CellPerLine));
}

#[test]
fn snapshot_html() {
    insta::assert_snapshot!("fixture_html", html(&fixture()));
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!("fixture_markdown", markdown(&fixture()));
}

#[test]
fn html_escapes_hostile_text() {
    let hostile = "<script>alert(\"x\")</script>&'";
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;";
    let mut r = fixture();
    r.title.as_mut().unwrap().value = hostile.to_string();
    r.sections[0].heading = hostile.to_string();
    r.sections[0].paras[0].text = hostile.to_string();
    r.preamble.push(para(hostile));
    r.table3.get_mut(&T3Row::R1).unwrap().insert(Col::Np, Cell::from_raw(hostile, None));
    let h = html(&r);
    assert!(!h.contains("<script>") && !h.contains("alert(\""));
    assert!(h.contains(&format!("<title>{escaped}</title>")));
    assert!(h.contains(&format!("<h1>{escaped}</h1>")));
    assert!(h.contains(&format!("<h2>{escaped}</h2>")));
    assert!(h.contains(&format!("<p>{escaped}</p>")));
    assert!(h.contains(&format!("<td>{escaped}</td>")));
    assert_eq!(esc("a&b<c>d\"e"), "a&amp;b&lt;c&gt;d&quot;e");
}

#[test]
fn html_page_is_self_contained() {
    let h = html(&fixture());
    for needle in ["<!DOCTYPE html>", "<html lang=\"zh-CN\">", "<meta charset=\"utf-8\">", "<style>", "@media print"] {
        assert!(h.contains(needle), "{needle}");
    }
    assert!(!h.contains("<link") && !h.contains("<script") && !h.contains("src="));
    assert_eq!(h.matches("<h2>").count(), 6);
    assert_eq!(h.matches("<caption>").count(), 3);
}

/// The template spans of tables 三 and 四 (SPEC §1.5, §1.6).
#[test]
fn html_uses_the_template_spans() {
    let h = html(&fixture());
    for needle in [
        "<th rowspan=\"3\" colspan=\"3\" class=\"note\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th>",
        "<th colspan=\"7\" scope=\"col\">申请人情况</th>",
        "<th rowspan=\"2\" scope=\"col\">自然人</th>",
        "<th colspan=\"5\" scope=\"col\">法人或其他组织</th>",
        "<th rowspan=\"2\" scope=\"col\">总计</th>",
        "<th rowspan=\"22\" scope=\"row\" class=\"l\">三、本年度办理结果</th>",
        "<th rowspan=\"8\" scope=\"row\" class=\"l\">（三）不予公开</th>",
        "<th rowspan=\"3\" scope=\"row\" class=\"l\">（四）无法提供</th>",
        "<th rowspan=\"5\" scope=\"row\" class=\"l\">（五）不予处理</th>",
        "<th rowspan=\"3\" scope=\"row\" class=\"l\">（六）其他处理</th>",
        "<th colspan=\"3\" scope=\"row\" class=\"l\">一、本年新收政府信息公开申请数量</th>",
        "<th colspan=\"3\" scope=\"row\" class=\"l\">二、上年结转政府信息公开申请数量</th>",
        "<th colspan=\"3\" scope=\"row\" class=\"l\">四、结转下年度继续办理</th>",
        "<th colspan=\"2\" scope=\"row\" class=\"l\">（一）予以公开</th>",
        "<th colspan=\"2\" scope=\"row\" class=\"l\">（七）总计</th>",
        "<th colspan=\"5\" scope=\"col\">行政复议</th>",
        "<th colspan=\"10\" scope=\"col\">行政诉讼</th>",
        "<th rowspan=\"2\" scope=\"col\">结果维持</th>",
        "<th colspan=\"5\" scope=\"col\">未经复议直接起诉</th>",
        "<th colspan=\"5\" scope=\"col\">复议后起诉</th>",
        "<th colspan=\"4\" scope=\"col\">第二十条第（一）项</th>",
        "<th colspan=\"3\" scope=\"col\">本年收费金额（单位：万元）</th>",
        "<td colspan=\"3\">12.50</td>",
    ] {
        assert!(h.contains(needle), "{needle}");
    }
    assert!(h.contains(&format!("<th colspan=\"2\" scope=\"row\" class=\"l\">{}</th>", T3Row::R3_2.label())));
    let r19 = report(1, &SynthOptions { format: FormatVersion::F2019, ..Default::default() });
    let h19 = html(&r19);
    assert!(h19.contains("<th rowspan=\"20\" scope=\"row\" class=\"l\">三、本年度办理结果</th>"));
    assert!(h19.contains("<th colspan=\"2\" scope=\"row\" class=\"l\">（六）其他处理</th>"));
    assert!(!h19.contains("rowspan=\"22\""));
}

/// Expand the row and column spans of each `<table>` and return, per table, the number of
/// grid columns each row occupies.
fn grid_widths(h: &str) -> Vec<Vec<usize>> {
    let attr = |tag: &str, name: &str| -> usize {
        tag.find(&format!("{name}=\""))
            .map(|i| {
                let rest = &tag[i + name.len() + 2..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .unwrap_or(1)
    };
    let mut tables = Vec::new();
    for t in h.split("<table").skip(1) {
        let t = &t[..t.find("</table>").unwrap()];
        // Remaining rows each pending rowspan cell still covers, per column.
        let mut carry: Vec<usize> = Vec::new();
        let mut widths = Vec::new();
        for row in t.split("<tr>").skip(1) {
            let mut col = 0;
            let mut width = 0;
            let mut next_carry = carry.clone();
            let mut rest = row;
            while let Some(i) = rest.find("<t") {
                let tag_end = rest[i..].find('>').unwrap() + i;
                let tag = &rest[i..tag_end];
                rest = &rest[tag_end..];
                if !(tag.starts_with("<td") || tag.starts_with("<th")) || tag.starts_with("<thead") {
                    continue;
                }
                while col < carry.len() && carry[col] > 0 {
                    col += 1;
                    width += 1;
                }
                let (rs, cs) = (attr(tag, "rowspan"), attr(tag, "colspan"));
                if next_carry.len() < col + cs {
                    next_carry.resize(col + cs, 0);
                }
                for c in next_carry.iter_mut().skip(col).take(cs) {
                    *c = rs;
                }
                col += cs;
                width += cs;
            }
            width += carry.iter().skip(col).filter(|c| **c > 0).count();
            carry = next_carry.iter().map(|c| c.saturating_sub(1)).collect();
            widths.push(width);
        }
        tables.push(widths);
    }
    tables
}

#[test]
fn html_rows_fill_the_grid() {
    for format in [FormatVersion::F2021, FormatVersion::F2019] {
        let r = report(4, &SynthOptions { format, target_bytes: 1_000 });
        let tables = grid_widths(&html(&r));
        assert_eq!(tables.len(), 3);
        for (widths, want) in tables.iter().zip([4, 10, 15]) {
            assert!(widths.iter().all(|w| *w == want), "{format:?} {widths:?}");
        }
        let rows3 = if format == FormatVersion::F2021 { 25 } else { 23 };
        assert_eq!(tables[1].len(), 3 + rows3);
        assert_eq!(tables[2].len(), 4);
    }
}

/// Every official label of the report's format, and no label of the other format.
fn labels(format: FormatVersion) -> Vec<&'static str> {
    let f2021 = format == FormatVersion::F2021;
    let mut v: Vec<&str> = (1..=6).map(|i| SectionId(i).official_heading()).collect();
    let t3 = if f2021 { T3Row::ROWS_2021 } else { T3Row::ROWS_2019 };
    v.extend(t3.iter().map(|r| r.label()));
    v.extend(t3.iter().filter_map(|r| r.group_label()));
    v.push("三、本年度办理结果");
    v.extend([T3_NOTE, "申请人情况", "法人或其他组织"]);
    v.extend(Col::ALL.iter().map(|c| c.label()));
    let t2 = if f2021 { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 };
    for r in t2 {
        v.push(r.block());
        v.push(if !f2021 && *r == T2Row::Norm { "规范性文件" } else { r.label() });
        let cols: &[T2Col] = if f2021 { r.cols_2021().unwrap() } else { r.cols_2019() };
        v.extend(cols.iter().map(|c| c.label()));
    }
    v.push("信息内容");
    v.extend(["行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"]);
    v.extend(T4Outcome::ALL.iter().map(|o| o.label()));
    v
}

#[test]
fn every_official_label_is_printed() {
    for format in [FormatVersion::F2021, FormatVersion::F2019] {
        let r = report(3, &SynthOptions { format, target_bytes: 1_000 });
        let mut outputs: Vec<(String, String)> = TEXT_SHAPES.iter().map(|s| (format!("{s:?}"), text(&r, *s))).collect();
        outputs.push(("markdown".into(), markdown(&r)));
        outputs.push(("html".into(), html(&r)));
        for (name, out) in &outputs {
            for l in labels(format) {
                assert!(out.contains(l), "{format:?} {name}: {l}");
            }
            let other = if format == FormatVersion::F2021 {
                ["本年新制作数量", "第二十条第（九）项", "（六）其他处理\t\n"]
            } else {
                ["本年制发件数", "3.其他", "逾期未按收费通知要求缴纳费用"]
            };
            for l in other {
                assert!(!out.contains(l), "{format:?} {name}: {l}");
            }
        }
    }
}

#[test]
fn text_layout_follows_the_shape() {
    let r = fixture();
    let t = text(&r, TextShape::CellPerLine);
    assert!(t.starts_with("2024年南关区民政局政府信息公开工作年度报告\n\n一、总体情况\n"));
    // Word export: R1 one label cell; （二） under an empty 三、 cell; level-3 rows with two
    // empty cells after the first row of their group.
    let all: Vec<&str> = t.lines().collect();
    let row_of = |label: &str| -> Vec<&str> {
        let at = all.iter().position(|l| *l == format!("\t{label}")).unwrap();
        let start = (0..=at).rev().take_while(|i| all[*i].starts_with('\t')).last().unwrap();
        let end = (at..all.len()).take_while(|i| all[*i].starts_with('\t')).last().unwrap();
        all[start..=end].iter().map(|l| &l[1..]).collect()
    };
    assert_eq!(row_of(T3Row::R1.label()), [T3Row::R1.label(), "5", "0", "0", "0", "0", "0", "5"]);
    assert_eq!(row_of("三、本年度办理结果")[..2], ["三、本年度办理结果", "（一）予以公开"]);
    assert_eq!(row_of(T3Row::R3_2.label())[..2], ["", T3Row::R3_2.label()]);
    assert_eq!(row_of("（三）不予公开")[..3], ["", "（三）不予公开", "1.属于国家秘密"]);
    assert_eq!(row_of(T3Row::R3_3_2.label()).len(), 10);
    assert_eq!(row_of(T3Row::R3_3_2.label())[..2], ["", ""]);
    assert_eq!(row_of(T3_NOTE), [T3_NOTE, "申请人情况"]);
    assert_eq!(row_of("行政复议"), ["行政复议", "行政诉讼"]);

    let lines = text(&r, TextShape::Lines);
    assert!(lines.contains("\n一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5\n"));
    assert!(lines.contains("\n（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0\n"));
    assert!(lines.contains("\n1 0 0 0 1 0 0 0 0 0 0 0 0 0 0\n"), "{lines}");
    assert!(lines.contains("\n行政事业性收费 12.50\n"));

    let pipe = text(&r, TextShape::Pipe);
    assert!(pipe.contains("\n一、本年新收政府信息公开申请数量 |  |  | 5 | 0 | 0 | 0 | 0 | 0 | 5\n"), "{pipe}");
    assert!(!pipe.lines().any(|l| l.starts_with('|')));
}

#[test]
fn lines_shape_prints_a_dash_for_non_numbers() {
    let mut r = fixture();
    let m = r.table3.get_mut(&T3Row::R2).unwrap();
    m.insert(Col::Biz, Cell::blank());
    m.insert(Col::Res, Cell::from_raw("—", None));
    m.insert(Col::Ngo, Cell::from_raw("约5", None));
    let lines = text(&r, TextShape::Lines);
    assert!(lines.contains("\n二、上年结转政府信息公开申请数量 1 - - - 0 0 1\n"), "{lines}");
    let cpl = text(&r, TextShape::CellPerLine);
    assert!(cpl.contains("\t二、上年结转政府信息公开申请数量\n\t1\n\t\n\t—\n\t约5\n\t0\n"));
}

#[test]
fn markdown_tables_take_their_width_from_the_first_row() {
    for format in [FormatVersion::F2021, FormatVersion::F2019] {
        let r = report(9, &SynthOptions { format, target_bytes: 1_000 });
        for out in [markdown(&r), text(&r, TextShape::Markdown)] {
            let mut tables: Vec<Vec<&str>> = Vec::new();
            let mut in_table = false;
            for l in out.lines() {
                if l.starts_with('|') {
                    if !in_table {
                        tables.push(Vec::new());
                    }
                    tables.last_mut().unwrap().push(l);
                }
                in_table = l.starts_with('|');
            }
            assert_eq!(tables.len(), 3);
            for (t, want) in tables.iter().zip([4, 10, 15]) {
                let width = |l: &str| l.trim().trim_matches('|').split('|').count();
                assert_eq!(width(t[0]), want, "{}", t[0]);
                assert_eq!(t[1], format!("|{}", "---|".repeat(want)));
                assert!(t.iter().all(|l| width(l) <= want), "{t:?}");
            }
        }
        assert!(markdown(&r).starts_with("# "));
        assert_eq!(markdown(&r).matches("\n## ").count(), 6);
    }
}

#[test]
fn json_round_trips() {
    for r in [fixture(), report(2, &SynthOptions::default())] {
        let back: Report = serde_json::from_str(&json(&r)).unwrap();
        assert_eq!(back, r);
    }
}
