//! Golden tests with hand-built records: every counting boundary of SPEC §1.7, the outcome rows
//! of SPEC §3.5, formats by year (§2.5), table 二 and 四, region sums and blank cells.

use gongkai_compile::{
    CompileError, Compiled, NoteKind, Options, RecordSet, aggregate, compare, compile, compile_region,
};
use gongkai_model::{Cell, CellValue, Col, FormatVersion, Report, T2Col, T2Row, T3Row, T4Group, T4Outcome};
use gongkai_register::{
    AppId, Applicant, ApplicantKind, Application, Case, CaseId, CaseKind, CaseResult, CatalogueEntry, CatalogueKind,
    Channel, EntryId, Event, Organ, OrganId, OrganKind, Outcome, RequestedForm, YearlyCounts,
};
use jiff::civil::{Date, date};
use rust_decimal::Decimal;

fn organ(id: i64, name: &str, kind: OrganKind, parent: Option<i64>) -> Organ {
    Organ {
        id: OrganId(id),
        name: name.into(),
        kind,
        parent: parent.map(OrganId),
        code: String::new(),
        index_pattern: None,
    }
}

fn app(id: i64, organ: i64, kind: ApplicantKind, events: Vec<Event>) -> Application {
    Application {
        id: AppId(id),
        organ: OrganId(organ),
        serial: format!("SQ-{id}"),
        applicant: Applicant::new(kind, "申请人"),
        channel: Channel::Online,
        description: "某项目批复".into(),
        form: RequestedForm::Electronic,
        events,
        version: 1,
    }
}

fn recv(d: Date) -> Event {
    Event::Received { date: d, channel: Channel::Online }
}

fn reply(d: Date, outcome: Outcome) -> Event {
    Event::Replied { date: d, outcome }
}

fn n(r: &Report, row: T3Row, col: Col) -> i64 {
    match r.t3(row, col).map(|c| &c.value) {
        Some(CellValue::Number(d)) => d.mantissa() as i64 / 10i64.pow(d.scale()),
        other => panic!("table3.{row}.{col} is not a number: {other:?}"),
    }
}

fn t2(r: &Report, row: T2Row, col: T2Col) -> &Cell {
    r.table2.get(&row).and_then(|m| m.get(&col)).unwrap_or_else(|| panic!("table2.{row}.{col} missing"))
}

fn t4(r: &Report, g: T4Group, o: T4Outcome) -> Decimal {
    r.t4(g, o).and_then(Cell::as_number).unwrap()
}

/// The checker finds nothing of the given rules.
fn assert_clean(r: &Report, rules: &[&str]) {
    let bad: Vec<_> = gongkai_rules::check(r).into_iter().filter(|f| rules.contains(&f.rule.as_str())).collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

const IDENTITIES: &[&str] = &["E1", "E2", "E3", "E4", "E7"];
const TEXT_RULES: &[&str] = &["D1", "D10", "D12", "D13", "D14", "D17", "D21", "D22", "D23"];

fn one_organ(apps: Vec<Application>) -> RecordSet {
    RecordSet {
        organs: vec![organ(1, "某县科学技术局", OrganKind::Department, None)],
        applications: apps,
        ..RecordSet::default()
    }
}

fn run(rs: &RecordSet, year: i16) -> Compiled {
    compile(&rs.records(), OrganId(1), year, &Options::default()).unwrap()
}

#[test]
fn received_31_dec_concluded_2_jan_is_r4_then_r2_and_r3_e1_e5() {
    let rs = one_organ(vec![app(
        1,
        1,
        ApplicantKind::Business,
        vec![recv(date(2024, 12, 31)), reply(date(2025, 1, 2), Outcome::R3_1)],
    )]);
    let y24 = run(&rs, 2024).report;
    let y25 = run(&rs, 2025).report;
    for c in [Col::Biz, Col::Tot] {
        assert_eq!((n(&y24, T3Row::R1, c), n(&y24, T3Row::R2, c)), (1, 0));
        assert_eq!((n(&y24, T3Row::R3_7, c), n(&y24, T3Row::R4, c)), (0, 1));
        assert_eq!((n(&y25, T3Row::R1, c), n(&y25, T3Row::R2, c)), (0, 1));
        assert_eq!((n(&y25, T3Row::R3_1, c), n(&y25, T3Row::R3_7, c), n(&y25, T3Row::R4, c)), (1, 1, 0));
    }
    assert_eq!(n(&y24, T3Row::R1, Col::Np), 0);
    assert_clean(&y24, IDENTITIES);
    assert_clean(&y25, IDENTITIES);
    assert!(gongkai_rules::cross::check_consecutive(&y24, &y25).is_empty(), "E5 between 2024 and 2025");
    // Concluded on 31 Dec: counted in R3 of that year, not carried forward.
    let rs = one_organ(vec![app(
        1,
        1,
        ApplicantKind::NaturalPerson,
        vec![recv(date(2024, 12, 2)), reply(date(2024, 12, 31), Outcome::R3_4_1)],
    )]);
    let y24 = run(&rs, 2024).report;
    assert_eq!((n(&y24, T3Row::R3_4_1, Col::Np), n(&y24, T3Row::R4, Col::Np)), (1, 0));
}

#[test]
fn withdrawal_correction_expiry_unpaid_fee_rows_3_6_1_to_3_6_3_e8() {
    let d = |m, day| date(2024, m, day);
    let rs = one_organ(vec![
        app(1, 1, ApplicantKind::NaturalPerson, vec![recv(d(3, 1)), Event::Withdrawn { date: d(3, 5) }]),
        app(
            2,
            1,
            ApplicantKind::Research,
            vec![
                recv(d(3, 1)),
                Event::CorrectionRequested { date: d(3, 4) },
                Event::CorrectionExpired { date: d(4, 20) },
            ],
        ),
        app(
            3,
            1,
            ApplicantKind::LegalService,
            vec![
                recv(d(3, 1)),
                Event::FeeNotice { date: d(3, 10), amount: Some(100) },
                Event::FeeNotPaid { date: d(4, 30) },
            ],
        ),
        app(4, 1, ApplicantKind::Ngo, vec![recv(d(3, 1)), reply(d(3, 20), Outcome::R3_2)]),
    ]);
    let r = run(&rs, 2024).report;
    assert_eq!(r.format, FormatVersion::F2021);
    assert_eq!(n(&r, T3Row::R3_6_3, Col::Np), 1);
    assert_eq!(n(&r, T3Row::R3_6_1, Col::Res), 1);
    assert_eq!(n(&r, T3Row::R3_6_2, Col::Law), 1);
    assert_eq!(n(&r, T3Row::R3_2, Col::Ngo), 1);
    // E8: each application in exactly one result row.
    let results: i64 = T3Row::result_rows(true).map(|row| n(&r, row, Col::Tot)).sum();
    assert_eq!(results, 4);
    assert_eq!(n(&r, T3Row::R3_7, Col::Tot), 4);
    assert!(!r.table3.contains_key(&T3Row::R3_6), "2021 format has no single R3.6 row");
    assert_clean(&r, IDENTITIES);
    assert_clean(&r, TEXT_RULES);
}

#[test]
fn year_2020_uses_the_2019_format_r3_6_single_row_and_blank_table2_cells() {
    let d = |m, day| date(2020, m, day);
    let rs = RecordSet {
        counts: vec![YearlyCounts {
            organ: OrganId(1),
            year: 2020,
            licences: Some(12),
            penalties: Some(3),
            coercions: None,
            fee_wan: Some(Decimal::new(125, 1)),
            confirmed_on: None,
        }],
        ..one_organ(vec![
            app(1, 1, ApplicantKind::NaturalPerson, vec![recv(d(3, 1)), Event::Withdrawn { date: d(3, 5) }]),
            app(
                2,
                1,
                ApplicantKind::NaturalPerson,
                vec![
                    recv(d(3, 1)),
                    Event::CorrectionRequested { date: d(3, 4) },
                    Event::CorrectionExpired { date: d(4, 20) },
                ],
            ),
        ])
    };
    let c = run(&rs, 2020);
    let r = &c.report;
    assert_eq!(r.format, FormatVersion::F2019);
    assert_eq!(r.table3.keys().copied().collect::<Vec<_>>().len(), T3Row::ROWS_2019.len());
    assert_eq!(n(r, T3Row::R3_6, Col::Np), 2, "R3.6.1 and R3.6.3 fold into R3.6 (SPEC §2.2)");
    assert!(!r.has_r36_subrows());
    assert_eq!(t2(r, T2Row::License, T2Col::Decisions2019).as_number(), Some(12.into()));
    assert_eq!(t2(r, T2Row::Coercion, T2Col::Decisions2019).value, CellValue::Blank);
    for (row, col) in [
        (T2Row::Reg, T2Col::Published),
        (T2Row::License, T2Col::Prev),
        (T2Row::Fee, T2Col::Change),
        (T2Row::OtherService, T2Col::Decisions2019),
        (T2Row::Procurement, T2Col::PurchaseAmount),
    ] {
        assert_eq!(t2(r, row, col).value, CellValue::Blank, "{row}.{col}");
        let name = format!("table2.{row}.{col}");
        assert!(c.notes.iter().any(|n| n.kind == NoteKind::Blank && n.cells.contains(&name)), "{name} noted");
    }
    assert!(!r.table2.get(&T2Row::Fee).is_some_and(|m| m.contains_key(&T2Col::Amount)));
    assert_clean(r, IDENTITIES);
    assert_clean(r, TEXT_RULES);
}

#[test]
fn years_before_2019_are_refused() {
    let rs = one_organ(Vec::new());
    assert_eq!(
        compile(&rs.records(), OrganId(1), 2018, &Options::default()),
        Err(CompileError::YearBeforeFormat(2018))
    );
    assert_eq!(compile(&rs.records(), OrganId(9), 2024, &Options::default()), Err(CompileError::UnknownOrgan(9)));
    assert!(CompileError::YearBeforeFormat(2018).to_string().contains("2018年"));
}

#[test]
fn blank_fee_amount_stays_blank_and_is_noted() {
    let mut rs = one_organ(Vec::new());
    rs.counts.push(YearlyCounts {
        organ: OrganId(1),
        year: 2024,
        licences: Some(0),
        penalties: Some(7),
        coercions: Some(1),
        fee_wan: None,
        confirmed_on: None,
    });
    let c = run(&rs, 2024);
    assert_eq!(t2(&c.report, T2Row::Fee, T2Col::Amount).value, CellValue::Blank);
    assert_eq!(t2(&c.report, T2Row::License, T2Col::Decisions).as_number(), Some(0.into()), "0 stays 0");
    assert_eq!(t2(&c.report, T2Row::Penalty, T2Col::Decisions).as_number(), Some(7.into()));
    assert!(c.notes.iter().any(|n| n.kind == NoteKind::Blank && n.cells == ["table2.FEE.AMOUNT"]));
    // No counts recorded at all for another year: all four cells blank.
    let c = run(&rs, 2023);
    for row in [T2Row::License, T2Row::Penalty, T2Row::Coercion] {
        assert_eq!(t2(&c.report, row, T2Col::Decisions).value, CellValue::Blank);
    }
}

#[test]
fn catalogue_block_a_issued_repealed_valid_and_e6_across_years() {
    let entry = |id, kind, issued: Date, repealed: Option<Date>| CatalogueEntry {
        id: EntryId(id),
        organ: OrganId(1),
        kind,
        title: format!("文件{id}"),
        doc_number: String::new(),
        index_no: format!("X/{id}"),
        issued,
        repealed,
        version: 1,
    };
    let mut rs = one_organ(Vec::new());
    rs.catalogue = vec![
        entry(1, CatalogueKind::Normative, date(2022, 5, 1), None),
        entry(2, CatalogueKind::Normative, date(2023, 3, 1), Some(date(2024, 6, 1))),
        entry(3, CatalogueKind::Normative, date(2024, 1, 1), None),
        entry(4, CatalogueKind::Normative, date(2024, 2, 1), Some(date(2024, 12, 31))),
        entry(5, CatalogueKind::Rule, date(2024, 12, 31), None),
        entry(6, CatalogueKind::Other, date(2024, 7, 1), None),
    ];
    let y23 = run(&rs, 2023).report;
    let y24 = run(&rs, 2024).report;
    let g = |r: &Report, row, col| t2(r, row, col).as_number().unwrap();
    assert_eq!(
        [
            g(&y24, T2Row::Norm, T2Col::Issued),
            g(&y24, T2Row::Norm, T2Col::Repealed),
            g(&y24, T2Row::Norm, T2Col::Valid)
        ],
        [2.into(), 2.into(), 2.into()]
    );
    assert_eq!(g(&y24, T2Row::Reg, T2Col::Issued), 1.into());
    assert_eq!(g(&y23, T2Row::Norm, T2Col::Valid), 2.into());
    assert!(gongkai_rules::cross::check_consecutive(&y23, &y24).is_empty(), "E6");
}

#[test]
fn table4_counts_results_in_year_pending_at_end_and_not_earlier_cases_e4() {
    let case = |id, kind, filed, concluded| Case {
        id: CaseId(id),
        organ: OrganId(1),
        kind,
        number: String::new(),
        filed,
        concluded,
        version: 1,
    };
    let mut rs = one_organ(Vec::new());
    rs.cases = vec![
        case(1, CaseKind::Review, date(2023, 11, 1), Some((date(2024, 2, 1), CaseResult::Maintained))),
        case(2, CaseKind::Review, date(2024, 11, 1), Some((date(2025, 2, 1), CaseResult::Corrected))),
        case(3, CaseKind::Review, date(2022, 1, 1), Some((date(2023, 2, 1), CaseResult::Corrected))),
        case(4, CaseKind::DirectLitigation, date(2024, 3, 1), None),
        case(5, CaseKind::LitigationAfterReview, date(2024, 3, 1), Some((date(2024, 9, 1), CaseResult::Other))),
        case(6, CaseKind::DirectLitigation, date(2025, 1, 5), None),
    ];
    let r = run(&rs, 2024).report;
    assert_eq!(t4(&r, T4Group::Rv, T4Outcome::Maint), 1.into());
    assert_eq!(t4(&r, T4Group::Rv, T4Outcome::Pend), 1.into());
    assert_eq!(t4(&r, T4Group::Rv, T4Outcome::Corr), 0.into(), "case 3 concluded in 2023 is not counted");
    assert_eq!(t4(&r, T4Group::Rv, T4Outcome::Tot), 2.into());
    assert_eq!(t4(&r, T4Group::Ld, T4Outcome::Tot), 1.into(), "case 6 filed in 2025 is not counted");
    assert_eq!(t4(&r, T4Group::Lr, T4Outcome::Other), 1.into());
    assert_clean(&r, IDENTITIES);
    let text: String = r.sections[0].paras.iter().map(|p| p.text.as_str()).collect();
    assert!(text.contains("行政复议案件2件、行政诉讼案件2件，截至年末尚未审结2件"), "{text}");
}

fn region() -> RecordSet {
    let d = |m, day| date(2024, m, day);
    let counts = |organ, licences, fee_wan| YearlyCounts {
        organ: OrganId(organ),
        year: 2024,
        licences,
        penalties: Some(1),
        coercions: Some(0),
        fee_wan,
        confirmed_on: None,
    };
    RecordSet {
        organs: vec![
            organ(1, "某县人民政府", OrganKind::Government, None),
            organ(2, "某县教育局", OrganKind::Department, Some(1)),
            organ(3, "某县城关镇人民政府", OrganKind::Township, Some(1)),
            organ(4, "某县教育局所属中心", OrganKind::Department, Some(2)),
            organ(9, "邻县人民政府", OrganKind::Government, None),
        ],
        applications: vec![
            app(1, 1, ApplicantKind::NaturalPerson, vec![recv(d(2, 1)), reply(d(2, 20), Outcome::R3_1)]),
            app(2, 2, ApplicantKind::Business, vec![recv(d(12, 30))]),
            app(3, 3, ApplicantKind::NaturalPerson, vec![recv(d(5, 6)), reply(d(5, 30), Outcome::R3_5_2)]),
            app(4, 4, ApplicantKind::Other, vec![recv(date(2023, 12, 28)), reply(d(1, 10), Outcome::R3_3_4)]),
            app(5, 9, ApplicantKind::NaturalPerson, vec![recv(d(3, 1)), reply(d(3, 20), Outcome::R3_1)]),
            // No receipt in the log: skipped and noted.
            app(6, 2, ApplicantKind::NaturalPerson, vec![reply(d(3, 20), Outcome::R3_1)]),
        ],
        counts: vec![
            counts(1, Some(10), Some(Decimal::new(15, 1))),
            counts(2, Some(5), None),
            counts(3, None, Some(Decimal::new(25, 2))),
        ],
        ..RecordSet::default()
    }
}

#[test]
fn region_sums_the_subtree_including_the_root_and_equals_aggregate_of_units() {
    let rs = region();
    let recs = rs.records();
    let reg = compile_region(&recs, OrganId(1), 2024, &Options::default()).unwrap();
    let r = &reg.report;
    assert_eq!(n(r, T3Row::R1, Col::Tot), 3, "apps 1, 2, 3 received in 2024; 5 belongs to another region");
    assert_eq!(n(r, T3Row::R2, Col::Oth), 1);
    assert_eq!(n(r, T3Row::R3_7, Col::Tot), 3);
    assert_eq!(n(r, T3Row::R4, Col::Biz), 1);
    assert_clean(r, IDENTITIES);
    assert!(reg.notes.iter().any(|n| n.kind == NoteKind::Skipped && n.message.contains("SQ-6")));
    // Yearly counts: sum of the recorded values, unrecorded organs named.
    assert_eq!(t2(r, T2Row::License, T2Col::Decisions).as_number(), Some(15.into()));
    assert_eq!(t2(r, T2Row::Fee, T2Col::Amount).as_number(), Some(Decimal::new(175, 2)));
    let partial = reg.notes.iter().find(|n| n.cells == ["table2.LICENSE.DECISIONS"]).unwrap();
    assert!(partial.message.contains("某县城关镇人民政府") && partial.message.contains("某县教育局所属中心"));
    // The same sums as compiling each organ and adding the reports.
    let units: Vec<Report> =
        [1, 2, 3, 4].iter().map(|id| compile(&recs, OrganId(*id), 2024, &Options::default()).unwrap().report).collect();
    let summed = aggregate(&units);
    assert_eq!(summed.report.table3, r.table3);
    assert_eq!(summed.report.table4, r.table4);
    assert_eq!(summed.report.table2, r.table2);
    assert!(compare(&summed.report, r).is_empty());
    // A government text states the evaluation item (D14) and the region coverage.
    assert_clean(r, TEXT_RULES);
    assert!(r.preamble.iter().any(|p| p.text.contains("共4个机关")));
}

#[test]
fn aggregate_blank_plus_number_is_number_with_note_and_unreadable_is_listed() {
    let rs = region();
    let recs = rs.records();
    let mut a = compile(&recs, OrganId(1), 2024, &Options::default()).unwrap().report;
    let mut b = compile(&recs, OrganId(2), 2024, &Options::default()).unwrap().report;
    // b: fee amount blank (unrecorded); a: 1.5.
    assert_eq!(t2(&b, T2Row::Fee, T2Col::Amount).value, CellValue::Blank);
    let s = aggregate(&[a.clone(), b.clone()]);
    assert_eq!(t2(&s.report, T2Row::Fee, T2Col::Amount).as_number(), Some(Decimal::new(15, 1)));
    let note = s.notes.iter().find(|n| n.cells == ["table2.FEE.AMOUNT"]).unwrap();
    assert_eq!(note.kind, NoteKind::Partial);
    assert!(note.message.contains("某县教育局"), "{}", note.message);
    assert_eq!(s.report.year.as_ref().map(|y| y.value), Some(2024));
    // Unreadable in one report → unreadable sum, listed.
    b.table3.get_mut(&T3Row::R1).unwrap().insert(Col::Np, Cell::from_raw("约5", None));
    let s = aggregate(&[a.clone(), b.clone()]);
    assert_eq!(s.report.t3(T3Row::R1, Col::Np).unwrap().value, CellValue::Unreadable);
    assert!(s.notes.iter().any(|n| n.kind == NoteKind::Unreadable && n.cells == ["table3.R1.NP"]));
    // compare: the government's report differs where its numbers differ from the sum.
    a.table3.get_mut(&T3Row::R1).unwrap().insert(Col::Tot, Cell::number(99));
    let diffs = compare(&aggregate(&[b.clone()]).report, &a);
    assert!(diffs.iter().any(|d| d.cell == "table3.R1.TOT" && d.reported == "99"), "{diffs:#?}");
}

#[test]
fn fee_statement_from_paid_fee_notices_d13() {
    let d = |m, day| date(2024, m, day);
    let rs = one_organ(vec![
        app(
            1,
            1,
            ApplicantKind::NaturalPerson,
            vec![
                recv(d(3, 1)),
                Event::FeeNotice { date: d(3, 5), amount: Some(150) },
                Event::FeePaid { date: d(3, 8) },
                reply(d(3, 20), Outcome::R3_1),
            ],
        ),
        app(
            2,
            1,
            ApplicantKind::NaturalPerson,
            vec![recv(d(4, 1)), Event::FeeNotice { date: d(4, 5), amount: Some(50) }, Event::FeePaid { date: d(4, 8) }],
        ),
    ]);
    let r = run(&rs, 2024).report;
    let s6: String = r.section(6).unwrap().paras.iter().map(|p| p.text.as_str()).collect();
    assert!(s6.contains("对2件申请收取信息处理费，共计200元"), "{s6}");
    let r = run(&one_organ(Vec::new()), 2024).report;
    assert!(r.section(6).unwrap().paras[0].text.contains("本年度未收取信息处理费"));
    assert_clean(&r, TEXT_RULES);
}

#[test]
fn text_states_table_numbers_and_signature_passes_d10_d11() {
    let rs = one_organ(vec![app(1, 1, ApplicantKind::NaturalPerson, vec![recv(date(2024, 3, 1))])]);
    let opts = Options { signature_date: Some(date(2025, 1, 20)) };
    let r = compile(&rs.records(), OrganId(1), 2024, &opts).unwrap().report;
    assert_eq!(r.title.as_ref().unwrap().value, "某县科学技术局2024年政府信息公开工作年度报告");
    let s1: String = r.sections[0].paras.iter().map(|p| p.text.as_str()).collect();
    assert!(s1.contains("本年度共收到政府信息公开申请1件") && s1.contains("结转下年度继续办理1件"), "{s1}");
    assert_clean(&r, TEXT_RULES);
    assert_clean(&r, &["D11"]);
    assert_eq!(r.sections.len(), 6);
    assert!(r.t3(T3Row::R1, Col::Tot).unwrap().src.is_none(), "compiled cells carry no source span");
    assert_eq!(r.source.kind, "compiled");
}

#[test]
fn a_second_yearly_counts_record_is_not_added_in() {
    let mut rs = one_organ(Vec::new());
    let counts = |licences| YearlyCounts {
        organ: OrganId(1),
        year: 2024,
        licences: Some(licences),
        penalties: None,
        coercions: None,
        fee_wan: None,
        confirmed_on: None,
    };
    rs.counts = vec![counts(4), counts(9)];
    let c = run(&rs, 2024);
    assert_eq!(t2(&c.report, T2Row::License, T2Col::Decisions).as_number(), Some(4.into()));
    assert!(c.notes.iter().any(|n| n.kind == NoteKind::Skipped && n.message.contains("只采用第一条")));
}

/// Issue 12 item 2: 18446744073709551615 + 2 yuan was stated as "共计1元".
#[test]
fn fee_sum_never_wraps() {
    let d = |m, day| date(2024, m, day);
    let paid = |id, amount| {
        app(
            id,
            1,
            ApplicantKind::NaturalPerson,
            vec![
                recv(d(3, 1)),
                Event::FeeNotice { date: d(3, 5), amount: Some(amount) },
                Event::FeePaid { date: d(3, 8) },
            ],
        )
    };
    let c = run(&one_organ(vec![paid(1, u64::MAX), paid(2, 2)]), 2024);
    let s6: String = c.report.section(6).unwrap().paras.iter().map(|p| p.text.as_str()).collect();
    assert!(!s6.contains("共计"), "{s6}");
    assert!(s6.contains("超出可计算的范围"), "{s6}");
    assert!(
        c.notes.iter().any(|n| n.kind == NoteKind::Unreadable && n.message.contains("信息处理费")),
        "{:#?}",
        c.notes
    );
    // Table 二 amounts that cannot be added (Decimal would panic) give an unreadable cell.
    let mut rs = region();
    for c in &mut rs.counts {
        c.fee_wan = Some(Decimal::MAX);
    }
    let c = compile_region(&rs.records(), OrganId(1), 2024, &Options::default()).unwrap();
    assert_eq!(t2(&c.report, T2Row::Fee, T2Col::Amount).value, CellValue::Unreadable);
    // Aggregating parsed reports with huge numbers: no panic, an unreadable sum with a note.
    let mut a = run(&one_organ(Vec::new()), 2024).report;
    a.table3.get_mut(&T3Row::R1).unwrap().insert(Col::Np, Cell::number(Decimal::MAX));
    let s = aggregate(&[a.clone(), a]);
    assert_eq!(s.report.t3(T3Row::R1, Col::Np).unwrap().value, CellValue::Unreadable);
    assert!(s.notes.iter().any(|n| n.message.contains("超出可计算的范围")));
}
