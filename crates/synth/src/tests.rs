use super::*;

fn formats() -> [FormatVersion; 2] {
    [FormatVersion::F2021, FormatVersion::F2019]
}

fn n(r: &Report, row: T3Row, col: Col) -> Decimal {
    r.t3(row, col).and_then(Cell::as_number).unwrap_or_else(|| panic!("{row}.{col} missing"))
}

/// Four-digit numbers followed by 年.
fn years(text: &str) -> Vec<i32> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len().saturating_sub(4) {
        let run = &chars[i..i + 4];
        let starts = i == 0 || !chars[i - 1].is_ascii_digit();
        if starts && run.iter().all(char::is_ascii_digit) && chars[i + 4] == '年' {
            out.push(run.iter().collect::<String>().parse().unwrap());
        }
    }
    out
}

#[test]
fn deterministic() {
    let a = report(7, &SynthOptions::default());
    assert_eq!(a, report(7, &SynthOptions::default()));
    assert_ne!(a, report(8, &SynthOptions::default()));
}

#[test]
fn tables_satisfy_e1_to_e4_and_e7() {
    for seed in 0..300 {
        for format in formats() {
            let r = report(seed, &SynthOptions { format, target_bytes: 2_000 });
            let f2021 = format == FormatVersion::F2021;
            assert_eq!(r.format, format);
            assert!(r.format_markers.is_empty());
            let rows = if f2021 { T3Row::ROWS_2021 } else { T3Row::ROWS_2019 };
            assert_eq!(r.table3.keys().copied().collect::<Vec<_>>().len(), rows.len());
            for row in rows {
                // E3 per row; E7 non-negative integers.
                let parts: Decimal = Col::ALL[..6].iter().map(|c| n(&r, *row, *c)).sum();
                assert_eq!(parts, n(&r, *row, Col::Tot), "seed {seed} E3 {row}");
                for c in Col::ALL {
                    let v = n(&r, *row, *c);
                    assert!(!v.is_sign_negative() && v.fract().is_zero());
                }
            }
            for c in Col::ALL {
                assert_eq!(
                    n(&r, T3Row::R1, *c) + n(&r, T3Row::R2, *c),
                    n(&r, T3Row::R3_7, *c) + n(&r, T3Row::R4, *c),
                    "seed {seed} E1 {c}"
                );
                let sum: Decimal = T3Row::result_rows(f2021).map(|row| n(&r, row, *c)).sum();
                assert_eq!(sum, n(&r, T3Row::R3_7, *c), "seed {seed} E2 {c}");
            }
            for g in T4Group::ALL {
                let v = |o| r.t4(*g, o).and_then(Cell::as_number).unwrap();
                let parts: Decimal = T4Outcome::ALL[..4].iter().map(|o| v(*o)).sum();
                assert_eq!(parts, v(T4Outcome::Tot), "seed {seed} E4 {g}");
            }
            // Table 二: exactly the rows and columns of the format.
            let t2rows = if f2021 { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 };
            assert_eq!(r.table2.len(), t2rows.len());
            for row in t2rows {
                let want: &[T2Col] = if f2021 { row.cols_2021().unwrap() } else { row.cols_2019() };
                let have: Vec<T2Col> = r.table2[row].keys().copied().collect();
                let mut want = want.to_vec();
                want.sort();
                assert_eq!(have, want, "{row}");
                for (c, cell) in &r.table2[row] {
                    let v = cell.as_number().unwrap();
                    assert_eq!(cell.raw, v.to_string());
                    assert!(cell.src.is_none());
                    if c.signed() {
                        let prev = r.table2[row][&T2Col::Prev].as_number().unwrap();
                        assert!(prev + v >= Decimal::ZERO);
                    } else {
                        assert!(!v.is_sign_negative(), "{row}.{c}");
                    }
                    if c.is_money() {
                        assert!(v.scale() <= 2);
                    } else {
                        assert!(v.fract().is_zero());
                    }
                }
            }
            if f2021 {
                for row in [T2Row::Reg, T2Row::Norm] {
                    let m = &r.table2[&row];
                    assert!(m[&T2Col::Valid].as_number() >= m[&T2Col::Issued].as_number());
                }
            }
        }
    }
}

#[test]
fn counts_vary_zero_columns_and_large_values_occur() {
    let (mut zero_col, mut large, mut negative_change, mut fee_fraction) = (false, false, false, false);
    for seed in 0..300 {
        let r = report(seed, &SynthOptions { format: formats()[(seed % 2) as usize], target_bytes: 1_000 });
        zero_col |= Col::ALL[..6].iter().any(|c| r.table3.values().all(|m| m[c].as_number().unwrap().is_zero()));
        large |= r.table3.values().any(|m| m[&Col::Tot].as_number().unwrap() >= Decimal::from(1000));
        negative_change |=
            r.table2.values().any(|m| m.get(&T2Col::Change).is_some_and(|c| c.as_number().unwrap().is_sign_negative()));
        fee_fraction |=
            r.table2.get(&T2Row::Fee).and_then(|m| m.get(&T2Col::Amount)).is_some_and(|c| c.raw.contains('.'));
    }
    assert!(zero_col && large && negative_change && fee_fraction);
}

#[test]
fn prose_follows_the_text_rules() {
    for seed in 0..300 {
        for format in formats() {
            let r = report(seed, &SynthOptions { format, target_bytes: 3_000 });
            let year = r.year.as_ref().unwrap().value;
            let organ = r.organ.as_ref().unwrap().value.clone();
            let title = &r.title.as_ref().unwrap().value;
            assert_eq!(title, &format!("{year}年{organ}政府信息公开工作年度报告"));
            if format == FormatVersion::F2021 {
                assert!((2021..=2025).contains(&year));
            } else {
                assert!((2019..=2020).contains(&year));
            }
            // Six sections with the official headings, in order.
            let ids: Vec<u8> = r.sections.iter().map(|s| s.id.0).collect();
            assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
            for s in &r.sections {
                assert_eq!(s.heading, s.id.official_heading());
            }
            let s1 = &r.sections[0].paras;
            assert!(s1[0].text.starts_with(&format!("{year}年，{organ}")));
            let subs: Vec<&str> = s1.iter().filter(|p| p.text.starts_with('（')).map(|p| &p.text[..]).collect();
            for (k, name) in [
                "（一）主动公开",
                "（二）依申请公开",
                "（三）政府信息管理",
                "（四）政府信息公开平台建设",
                "（五）监督保障",
            ]
            .iter()
            .enumerate()
            {
                assert!(subs[k].starts_with(name), "{}", subs[k]);
            }
            assert_eq!(subs.len(), 5);
            // Years: only the report year, except the signature date (last paragraph).
            let s6 = &r.sections[5].paras;
            let (last, rest) = s6.split_last().unwrap();
            assert_eq!(years(&last.text), [year + 1], "{}", last.text);
            assert!(last.text.ends_with('日') && last.text.chars().count() <= 16);
            assert_eq!(rest.last().unwrap().text, organ, "signature organ");
            for (_, p) in r.all_paras().filter(|(_, p)| !std::ptr::eq(*p, last)) {
                assert!(years(&p.text).iter().all(|y| *y == year), "{}", p.text);
                assert!(!p.text.contains("??") && !p.text.contains('\u{FFFD}'));
            }
            // 一是/二是… in order within every paragraph of section 五; lists restart at 一是.
            for p in &r.sections[4].paras {
                let mut next = 0;
                for (i, o) in ORD.iter().enumerate() {
                    let k = p.text.matches(&format!("{o}是")).count();
                    assert!(k <= 1, "duplicated {o}是: {}", p.text);
                    if k == 1 {
                        assert_eq!(i, next, "{}", p.text);
                        next += 1;
                    }
                }
            }
            let text6: String = s6.iter().map(|p| p.text.as_str()).collect();
            if format == FormatVersion::F2021 {
                assert!(text6.contains("本年度未收取信息处理费") || text6.contains("收取信息处理费共计"));
            }
            let all: String = r.all_paras().map(|(_, p)| p.text.as_str()).collect();
            if organ.ends_with("人民政府") {
                assert!(all.contains("工作考核、社会评议和责任追究"));
            }
            // Stated counts of applications equal table 三.
            let tot = |row| n(&r, row, Col::Tot);
            if let Some(i) = all.find("共收到政府信息公开申请") {
                let digits: String =
                    all[i + "共收到政府信息公开申请".len()..].chars().take_while(char::is_ascii_digit).collect();
                assert_eq!(digits.parse::<Decimal>().unwrap(), tot(T3Row::R1));
            } else {
                assert!(tot(T3Row::R1).is_zero());
            }
            if let Some(i) = all.find("结转下年度继续办理") {
                let digits: String =
                    all[i + "结转下年度继续办理".len()..].chars().take_while(char::is_ascii_digit).collect();
                assert_eq!(digits.parse::<Decimal>().unwrap(), tot(T3Row::R4));
            }
        }
    }
}

#[test]
fn prose_size_follows_the_target() {
    for target in [2_000usize, 10_000, 40_000] {
        let r = report(5, &SynthOptions { target_bytes: target, ..Default::default() });
        let size: usize = r.all_paras().map(|(_, p)| p.text.len()).sum();
        assert!(size >= target * 7 / 10 && size <= target * 2, "target {target}: {size}");
    }
    assert_eq!(SynthOptions::default().target_bytes, 10_000);
}

#[test]
fn rng_helpers() {
    let mut r = Rng::new(1);
    for _ in 0..1000 {
        let v = r.range(3, 5);
        assert!((3..=5).contains(&v));
    }
    let s = r.sample(&[1, 2, 3, 4, 5], 5);
    let mut v: Vec<i32> = s.into_iter().copied().collect();
    v.sort();
    assert_eq!(v, [1, 2, 3, 4, 5]);
}

/// Character 5-gram Jaccard similarity of sections 一 and 五 (what a copied-text check looks at).
fn jaccard(a: &Report, b: &Report) -> f64 {
    use std::collections::HashSet;
    let grams = |r: &Report| -> HashSet<String> {
        let chars: Vec<char> = r
            .sections
            .iter()
            .filter(|s| matches!(s.id.0, 1 | 5))
            .flat_map(|s| s.paras.iter())
            .flat_map(|p| p.text.chars())
            .filter(|c| c.is_alphanumeric())
            .collect();
        chars.windows(5).map(|w| w.iter().collect()).collect()
    };
    let (x, y) = (grams(a), grams(b));
    x.intersection(&y).count() as f64 / x.union(&y).count().max(1) as f64
}

#[test]
fn different_seeds_do_not_read_as_copies() {
    for target in [2_000usize, 10_000] {
        let opts = SynthOptions { target_bytes: target, ..Default::default() };
        let mut worst = 0f64;
        for seed in 0..40 {
            let j = jaccard(&report(seed, &opts), &report(seed + 1, &opts));
            worst = worst.max(j);
        }
        assert!(worst < 0.8, "target {target}: max similarity {worst}");
    }
}

#[test]
fn no_sentence_repeats_within_a_paragraph_at_the_default_size() {
    for seed in 0..100 {
        let r = report(seed, &SynthOptions::default());
        for (_, p) in r.all_paras() {
            let sentences: Vec<&str> = p.text.split_inclusive('。').filter(|s| s.len() > 12).collect();
            for (i, s) in sentences.iter().enumerate() {
                assert!(!sentences[..i].contains(s), "seed {seed}: {s} repeated in {}", p.text);
            }
        }
    }
}
