//! Hand-written inputs for the text shapes and label damage real reports show (SPEC §2.5;
//! corpus README "Real-world irregularities").

use gongkai_model::{CellValue, Col, T3Row, T4Group, T4Outcome};
use gongkai_parse::{Kind, parse_str};

const ROWS: &[(&str, [u32; 7])] = &[
    ("一、本年新收政府信息公开申请数量", [32, 2, 0, 0, 0, 0, 34]),
    ("二、上年结转政府信息公开申请数量", [2, 0, 0, 0, 0, 0, 2]),
    ("三、本年度办理结果 （一）予以公开", [9, 0, 0, 0, 0, 0, 9]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [0; 7]),
    ("（三）不予公开 1.属于国家秘密", [0; 7]),
    ("2.其他法律行政法规禁止公开", [0; 7]),
    ("3.危及“三安全一稳定”", [0; 7]),
    ("4.保护第三方合法权益", [0; 7]),
    ("5.属于三类内部事务信息", [1, 0, 0, 0, 0, 0, 1]),
    ("6.属于四类过程性信息", [1, 0, 0, 0, 0, 0, 1]),
    ("7.属于行政执法案卷", [0; 7]),
    ("8.属于行政查询事项", [0; 7]),
    ("（四）无法提供 1.本机关不掌握相关政府信息", [4, 0, 0, 0, 0, 0, 4]),
    ("2.没有现成信息需要另行制作", [6, 0, 0, 0, 0, 0, 6]),
    ("3.补正后申请内容仍不明确", [0; 7]),
    ("（五）不予处理 1.信访举报投诉类申请", [0; 7]),
    ("2.重复申请", [0; 7]),
    ("3.要求提供公开出版物", [0; 7]),
    ("4.无正当理由大量反复申请", [0; 7]),
    ("5.要求行政机关确认或重新出具已获取信息", [0; 7]),
    ("（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [8, 2, 0, 0, 0, 0, 10]),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", [0; 7]),
    ("3.其他", [4, 0, 0, 0, 0, 0, 4]),
    ("（七）总计", [33, 2, 0, 0, 0, 0, 35]),
    ("四、结转下年度继续办理", [1, 0, 0, 0, 0, 0, 1]),
];

fn doc(table3: &str, table4: &str) -> String {
    format!(
        "2024年示例区民政局政府信息公开工作年度报告\n一、总体情况\n2024年，示例区民政局推进政务公开。\n\
         二、主动公开政府信息情况\n第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 0\n行政规范性文件 3 1 20\n\
         第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 97\n第二十条第（六）项\n信息内容 本年处理决定数量\n行政处罚 5\n行政强制 0\n\
         第二十条第（八）项\n信息内容 本年收费金额（单位：万元）\n行政事业性收费 12.5\n\
         三、收到和处理政府信息公开申请情况\n申请人情况\n{table3}\
         四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n{table4}\n\
         五、存在的主要问题及改进情况\n一是解读不够。\n六、其他需要报告的事项\n本年度未收取信息处理费。\n"
    )
}

fn check_values(text: &str) -> gongkai_parse::Parsed {
    let p = parse_str(text, Kind::Text);
    for (k, row) in T3Row::ROWS_2021.iter().enumerate() {
        for (c, col) in Col::ALL.iter().enumerate() {
            let got = p.report.t3(*row, *col).and_then(|x| x.as_number());
            assert_eq!(got, Some(ROWS[k].1[c].into()), "{row} {col}\n{text}\n{:#?}", p.findings);
        }
    }
    assert_eq!(p.report.t4(T4Group::Rv, T4Outcome::Tot).and_then(|c| c.as_number()), Some(1.into()));
    assert_eq!(p.report.t4(T4Group::Lr, T4Outcome::Tot).and_then(|c| c.as_number()), Some(3.into()));
    let t2 = &p.report.table2;
    assert_eq!(t2.len(), 6, "{t2:?}");
    assert_eq!(
        t2[&gongkai_model::T2Row::Fee][&gongkai_model::T2Col::Amount].as_number(),
        Some(rust_decimal::Decimal::new(125, 1))
    );
    p
}

const T4: &str = "1 0 0 0 1 0 0 0 0 0 2 1 0 0 3";

#[test]
fn one_row_per_line_pdf_text_export() {
    let t3: String = ROWS
        .iter()
        .map(|(l, v)| format!("{l} {}\n", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" ")))
        .collect();
    let p = check_values(&doc(&t3, T4));
    assert!(p.findings.iter().all(|f| f.rule != "P3"), "{:?}", p.findings);
}

#[test]
fn pipe_flattened_rows() {
    let t3: String = ROWS
        .iter()
        .map(|(l, v)| {
            format!("{} | {}\n", l.replace(' ', " | "), v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" | "))
        })
        .collect();
    check_values(&doc(&t3, &T4.replace(' ', " | ")));
}

#[test]
fn tab_flattened_rows() {
    let t3: String = ROWS
        .iter()
        .map(|(l, v)| {
            format!("{}\t{}\n", l.replace(' ', "\t"), v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\t"))
        })
        .collect();
    check_values(&doc(&t3, &T4.replace(' ', "\t")));
}

#[test]
fn half_width_spaced_and_traditional_labels() {
    let t3: String = ROWS
        .iter()
        .map(|(l, v)| {
            let l = l
                .replace('（', "(")
                .replace('）', ") ")
                .replace('，', ",")
                .replace("1.", "1. ")
                .replace("三安全一稳定", "三安全一穩定")
                .replace("结转", "結轉")
                .replace("商业", "商业 ");
            format!("{l} {}\n", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" "))
        })
        .collect();
    check_values(&doc(&t3, T4));
}

#[test]
fn digits_run_together_are_split_by_e3_only_when_unique() {
    // Every row's digits glued into one token: "322000034".
    let t3: String =
        ROWS.iter().map(|(l, v)| format!("{l} {}\n", v.iter().map(|x| x.to_string()).collect::<String>())).collect();
    let p = parse_str(&doc(&t3, "100010000000000"), Kind::Text);
    for (k, row) in T3Row::ROWS_2021.iter().enumerate() {
        let glued: String = ROWS[k].1.iter().map(|x| x.to_string()).collect();
        match gongkai_parse::split::split_runs(&[&glued], 7, &gongkai_parse::split::e3_row) {
            // Unique: recovered exactly and marked inferred.
            gongkai_parse::split::Split::Unique(_) => {
                for (c, col) in Col::ALL.iter().enumerate() {
                    let cell = p.report.t3(*row, *col).unwrap();
                    assert_eq!(cell.as_number(), Some(ROWS[k].1[c].into()), "{row} {col}");
                    assert!(cell.inferred);
                }
            }
            // "33200000035" is 33,2,… or 3,32,…: reported, never guessed.
            _ => {
                assert!(!p.report.table3.contains_key(row), "{row} must not be guessed");
                assert!(
                    p.findings.iter().any(|f| f.rule == "P3" && f.message.contains(&glued)),
                    "{row}: {:?}",
                    p.findings
                );
            }
        }
    }
    assert!(!p.report.table3.contains_key(&T3Row::R3_7));
    assert!(p.findings.iter().any(|f| f.rule == "P4"));
    assert_eq!(p.report.t4(T4Group::Rv, T4Outcome::Tot).and_then(|c| c.as_number()), Some(1.into()));
}

#[test]
fn blank_and_placeholder_cells_are_kept_as_such() {
    let t = "三、收到和处理政府信息公开申请情况\n| 一、本年新收政府信息公开申请数量 |  | - | 无 | / | 0 | 约5 | 3 |\n";
    let p = parse_str(t, Kind::Text);
    let st: Vec<CellValue> = Col::ALL.iter().map(|c| p.report.t3(T3Row::R1, *c).unwrap().value.clone()).collect();
    assert_eq!(
        st,
        vec![
            CellValue::Blank,
            CellValue::Placeholder,
            CellValue::Placeholder,
            CellValue::Placeholder,
            CellValue::Number(0.into()),
            CellValue::Unreadable,
            CellValue::Number(3.into())
        ]
    );
}

#[test]
fn hostile_text_inputs_are_bounded() {
    // A 200,000-column pipe row, 300,000 short lines, a line of 1 MB: no panic, bounded grids.
    let wide = format!("|{}\n", "1|".repeat(200_000));
    let p = parse_str(&wide, Kind::Text);
    assert!(p.report.table3.is_empty());
    let many = "0\n".repeat(300_000);
    let p = parse_str(&many, Kind::Text);
    assert!(p.findings.iter().any(|f| f.rule == "P6" && f.message.contains("未读取")));
    let long = "本年新收".repeat(100_000);

    let _ = parse_str(&long, Kind::Text);
    let bytes = vec![0xFFu8; 1 << 20];
    let p = gongkai_parse::parse_bytes(&bytes, None);
    assert!(p.unsupported.is_some() || !p.findings.is_empty());
}

/// The text front end computes provenance line by line; it must give exactly the line and
/// column that `LineIndex` (the reference mapping) gives for every cell and paragraph, in every
/// text shape the renderer writes, with CRLF line ends and wide characters included.
#[test]
fn front_end_provenance_matches_line_index() {
    use gongkai_model::doc::{Block, LineIndex};
    for seed in 0..8u64 {
        let r = gongkai_synth::report(
            seed,
            &gongkai_synth::SynthOptions { format: gongkai_model::FormatVersion::F2021, target_bytes: 3_000 },
        );
        for shape in gongkai_render::TEXT_SHAPES {
            for crlf in [false, true] {
                let mut text = gongkai_render::text(&r, shape);
                if crlf {
                    text = text.replace('\n', "\r\n");
                }
                text.push_str("\n| Ａ | 二\u{3000}| ３ |\n\t一\t\t二\n");
                let ix = LineIndex::new(&text);
                let doc = gongkai_parse::text::text_to_doc(&text).doc;
                let mut checked = 0;
                for b in &doc.blocks {
                    let srcs: Vec<gongkai_model::Src> = match b {
                        Block::Para(p) => vec![p.src],
                        Block::Table(g) => {
                            std::iter::once(g.src).chain(g.rows.iter().flatten().map(|c| c.src)).collect()
                        }
                    };
                    for s in srcs {
                        let want = ix.src(&text, s.start as usize, s.end as usize);
                        assert_eq!((s.line, s.col), (want.line, want.col), "{shape:?} crlf={crlf} at byte {}", s.start);
                        checked += 1;
                    }
                }
                assert!(checked > 50, "{shape:?}: only {checked} positions");
            }
        }
    }
}
