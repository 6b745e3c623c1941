//! The parser's matching keys for the official labels (SPEC §1.3, §1.5, §2.5): the words that
//! recognise a row, a column, a section or a format in a printed label. The labels themselves
//! (what the writers print) are the model's (`T3Row::display_name`, `T2Row::label`,
//! `T2Col::label`, `gongkai_model::labels::SECTION_HEADINGS`); a key here is a distinctive part
//! of one of them, or of a variant that real reports print. Every key is in normalised form (see
//! [`gongkai_model::normalize::normalize`]) so it survives full/half-width, spaces, line breaks
//! and traditional characters.

use gongkai_model::FormatVersion;
#[cfg(test)]
use gongkai_model::labels::SECTION_HEADINGS;
use gongkai_model::{T2Col, T2Row, T3Row};

/// Keys that identify a row of table 三 inside a (normalised) label. A key is distinctive on
/// its own; `3.其他` is only meaningful under （六）, which the matcher checks.
pub fn t3_row_keys(row: T3Row) -> &'static [&'static str] {
    use T3Row::*;
    match row {
        R1 => &["本年新收", "新收政府信息公开申请"],
        R2 => &["上年结转"],
        R3_1 => &["予以公开"],
        R3_2 => &["部分公开", "区分处理的"],
        R3_3_1 => &["国家秘密"],
        // 005/006 print the typo "其他法律行政止公开".
        R3_3_2 => &["其他法律行政法规禁止公开", "法规禁止公开", "其他法律行政"],
        R3_3_3 => &["三安全一稳定", "危及\"三安全"],
        R3_3_4 => &["第三方合法权益"],
        R3_3_5 => &["三类内部事务", "内部事务信息"],
        R3_3_6 => &["四类过程性", "过程性信息"],
        R3_3_7 => &["行政执法案卷"],
        R3_3_8 => &["行政查询事项"],
        R3_4_1 => &["不掌握相关政府信息", "本机关不掌握"],
        R3_4_2 => &["没有现成信息", "另行制作"],
        R3_4_3 => &["补正后申请内容仍不明确", "仍不明确"],
        R3_5_1 => &["信访举报投诉"],
        R3_5_2 => &["重复申请"],
        R3_5_3 => &["公开出版物"],
        R3_5_4 => &["无正当理由大量反复", "大量反复申请"],
        R3_5_5 => &["确认或重新出具", "重新出具已获取"],
        R3_6 => &["(六)其他处理", "(六)其他"],
        R3_6_1 => &["逾期不补正"],
        R3_6_2 => &["收费通知", "缴纳费用"],
        R3_6_3 => &["3.其他", "3,其他", "3其他"],
        R3_7 => &["(七)总计", "七)总计"],
        R4 => &["结转下年度", "结转下年"],
    }
}

/// Row keys of table 二 (normalised). 2019 `规范性文件` and 2021 `行政规范性文件` both map to
/// NORM (SPEC §2.3; corpus 002/004 use the short form in 2021 reports).
pub fn t2_row_keys(row: T2Row) -> &'static [&'static str] {
    match row {
        T2Row::Reg => &["规章"],
        T2Row::Norm => &["规范性文件"],
        T2Row::License => &["行政许可"],
        T2Row::OtherService => &["其他对外管理服务事项", "对外管理服务"],
        T2Row::Penalty => &["行政处罚"],
        T2Row::Coercion => &["行政强制"],
        T2Row::Fee => &["行政事业性收费"],
        T2Row::Procurement => &["政府集中采购"],
    }
}

/// Column header keys of table 二 (normalised).
pub fn t2_col_key(col: T2Col) -> &'static str {
    match col {
        T2Col::Issued => "本年制发",
        T2Col::Repealed => "本年废止",
        T2Col::Valid => "现行有效",
        T2Col::Decisions => "本年处理决定数量",
        T2Col::Amount => "本年收费金额",
        T2Col::Made => "本年新制作",
        T2Col::Published => "本年新公开",
        T2Col::Total => "对外公开总数",
        T2Col::Prev => "上一年项目数",
        T2Col::Change => "本年增",
        T2Col::Decisions2019 => "处理决定数量",
        T2Col::PurchaseCount => "采购项目数",
        T2Col::PurchaseAmount => "采购总金额",
    }
}

/// The marker recorded for a table 三 whose `（六）其他处理` is a single row without the 2021
/// sub-rows. It is the 2019 row set, but an absence, not a label: SPEC §2.5 makes a report
/// FORMAT_2019 only with a labelled 2019 marker *and* this row set, and SPEC §6 D1 lists a
/// missing sub-row split as its own defect. So beside labelled 2021 markers it leaves the
/// format 2021 (the template the report is built on), and rules report the mix as D1.
pub const SINGLE_R36_MARKER: &str = "（六）其他处理（无子项）";

/// Format fingerprints (SPEC §2.5): a normalised marker and the format it proves.
pub const FORMAT_MARKERS: &[(&str, FormatVersion)] = &[
    ("本年制发件数", FormatVersion::F2021),
    ("本年废止件数", FormatVersion::F2021),
    ("现行有效件数", FormatVersion::F2021),
    ("本年处理决定数量", FormatVersion::F2021),
    ("本年收费金额(单位:万元)", FormatVersion::F2021),
    ("逾期未按收费通知要求缴纳费用", FormatVersion::F2021),
    ("本年新制作数量", FormatVersion::F2019),
    ("本年新公开数量", FormatVersion::F2019),
    ("对外公开总数量", FormatVersion::F2019),
    ("上一年项目数量", FormatVersion::F2019),
    ("本年增/减", FormatVersion::F2019),
    ("第二十条第(九)项", FormatVersion::F2019),
    ("政府集中采购", FormatVersion::F2019),
    ("其他对外管理服务事项", FormatVersion::F2019),
    ("依申请公开政府信息情况", FormatVersion::Pre2019),
    ("收费及减免", FormatVersion::Pre2019),
    ("申请答复数", FormatVersion::Pre2019),
    ("回应解读情况", FormatVersion::Pre2019),
    ("政府信息公开情况统计表", FormatVersion::Pre2019),
];

/// Keys that identify each of the six sections (SPEC §1.3) when it is renamed, in the order of
/// [`SECTION_HEADINGS`] (`SECTION_KEYS[0]` is section 一).
pub const SECTION_KEYS: [&[&str]; 6] = [
    &["总体情况", "概述", "基本情况"],
    &["主动公开政府信息情况", "主动公开政府信息", "主动公开情况"],
    &["收到和处理政府信息公开申请", "收到和处理", "依申请公开情况", "政府信息公开申请情况"],
    &["行政复议,行政诉讼", "行政复议和行政诉讼", "复议,诉讼"],
    &["存在的主要问题", "主要问题及改进", "存在问题", "问题及整改", "问题和改进"],
    &["其他需要报告", "其他需报告", "其他事项"],
];
#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_model::normalize::normalize;

    #[test]
    fn every_official_label_contains_its_own_key() {
        for r in T3Row::ALL {
            let label = normalize(&r.display_name());
            assert!(
                t3_row_keys(*r).iter().any(|k| label.contains(k)),
                "{r}: {label} has none of {:?}",
                t3_row_keys(*r)
            );
        }
        for r in T2Row::ALL {
            assert!(t2_row_keys(*r).iter().any(|k| normalize(r.label()).contains(k)));
        }
        for c in T2Col::ALL {
            assert!(normalize(c.label()).contains(t2_col_key(*c)), "{c}");
        }
        for (h, keys) in SECTION_HEADINGS.iter().zip(SECTION_KEYS) {
            assert!(keys.iter().any(|k| normalize(h).contains(k)), "{h}");
        }
    }

    #[test]
    fn keys_are_normalised() {
        for (m, _) in FORMAT_MARKERS {
            assert_eq!(&normalize(m), m);
        }
        let keys = T3Row::ALL
            .iter()
            .flat_map(|r| t3_row_keys(*r).iter())
            .chain(T2Row::ALL.iter().flat_map(|r| t2_row_keys(*r).iter()))
            .chain(SECTION_KEYS.iter().flat_map(|k| k.iter()));
        for k in keys {
            assert_eq!(&normalize(k), k);
        }
    }
}
