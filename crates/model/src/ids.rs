//! Stable ids for rows and columns, exactly as SPEC §1.5 / §1.7 name them. These strings are
//! part of the JSON schema: `table3["R3.3.1"]["NP"]`, `table4["RV"]["TOT"]`.

use serde::{Deserialize, Serialize};

macro_rules! id_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident = $id:literal : $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $id)] $var),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The stable id used in code, JSON and finding messages.
            pub fn id(self) -> &'static str {
                match self { $($name::$var => $id),+ }
            }
            /// The official Chinese label (SPEC §1).
            pub fn label(self) -> &'static str {
                match self { $($name::$var => $label),+ }
            }
            pub fn from_id(s: &str) -> Option<Self> {
                match s { $($id => Some($name::$var),)+ _ => None }
            }
        }
        impl crate::table::TableId for $name {
            const ALL: &'static [$name] = &[$($name::$var),+];
            fn index(self) -> usize {
                self as usize
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}

id_enum! {
    /// Applicant columns of table 三 (SPEC §1.5).
    Col {
        Np = "NP": "自然人",
        Biz = "BIZ": "商业企业",
        Res = "RES": "科研机构",
        Ngo = "NGO": "社会公益组织",
        Law = "LAW": "法律服务机构",
        Oth = "OTH": "其他",
        Tot = "TOT": "总计",
    }
}

id_enum! {
    /// Rows of table 三 (SPEC §1.5). `R3.6` is the single （六）其他处理 row of the 2019
    /// format; the 2021 format has `R3.6.1`–`R3.6.3` instead.
    T3Row {
        R1 = "R1": "一、本年新收政府信息公开申请数量",
        R2 = "R2": "二、上年结转政府信息公开申请数量",
        R3_1 = "R3.1": "（一）予以公开",
        R3_2 = "R3.2": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        R3_3_1 = "R3.3.1": "1.属于国家秘密",
        R3_3_2 = "R3.3.2": "2.其他法律行政法规禁止公开",
        R3_3_3 = "R3.3.3": "3.危及“三安全一稳定”",
        R3_3_4 = "R3.3.4": "4.保护第三方合法权益",
        R3_3_5 = "R3.3.5": "5.属于三类内部事务信息",
        R3_3_6 = "R3.3.6": "6.属于四类过程性信息",
        R3_3_7 = "R3.3.7": "7.属于行政执法案卷",
        R3_3_8 = "R3.3.8": "8.属于行政查询事项",
        R3_4_1 = "R3.4.1": "1.本机关不掌握相关政府信息",
        R3_4_2 = "R3.4.2": "2.没有现成信息需要另行制作",
        R3_4_3 = "R3.4.3": "3.补正后申请内容仍不明确",
        R3_5_1 = "R3.5.1": "1.信访举报投诉类申请",
        R3_5_2 = "R3.5.2": "2.重复申请",
        R3_5_3 = "R3.5.3": "3.要求提供公开出版物",
        R3_5_4 = "R3.5.4": "4.无正当理由大量反复申请",
        R3_5_5 = "R3.5.5": "5.要求行政机关确认或重新出具已获取信息",
        R3_6 = "R3.6": "（六）其他处理",
        R3_6_1 = "R3.6.1": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        R3_6_2 = "R3.6.2": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        R3_6_3 = "R3.6.3": "3.其他",
        R3_7 = "R3.7": "（七）总计",
        R4 = "R4": "四、结转下年度继续办理",
    }
}

impl T3Row {
    /// The rows of table 三 in the 2021 format, in printed order (25 data rows).
    pub const ROWS_2021: &'static [T3Row] = &[
        T3Row::R1,
        T3Row::R2,
        T3Row::R3_1,
        T3Row::R3_2,
        T3Row::R3_3_1,
        T3Row::R3_3_2,
        T3Row::R3_3_3,
        T3Row::R3_3_4,
        T3Row::R3_3_5,
        T3Row::R3_3_6,
        T3Row::R3_3_7,
        T3Row::R3_3_8,
        T3Row::R3_4_1,
        T3Row::R3_4_2,
        T3Row::R3_4_3,
        T3Row::R3_5_1,
        T3Row::R3_5_2,
        T3Row::R3_5_3,
        T3Row::R3_5_4,
        T3Row::R3_5_5,
        T3Row::R3_6_1,
        T3Row::R3_6_2,
        T3Row::R3_6_3,
        T3Row::R3_7,
        T3Row::R4,
    ];
    /// The rows of table 三 in the 2019 format (23 data rows: a single （六） row).
    pub const ROWS_2019: &'static [T3Row] = &[
        T3Row::R1,
        T3Row::R2,
        T3Row::R3_1,
        T3Row::R3_2,
        T3Row::R3_3_1,
        T3Row::R3_3_2,
        T3Row::R3_3_3,
        T3Row::R3_3_4,
        T3Row::R3_3_5,
        T3Row::R3_3_6,
        T3Row::R3_3_7,
        T3Row::R3_3_8,
        T3Row::R3_4_1,
        T3Row::R3_4_2,
        T3Row::R3_4_3,
        T3Row::R3_5_1,
        T3Row::R3_5_2,
        T3Row::R3_5_3,
        T3Row::R3_5_4,
        T3Row::R3_5_5,
        T3Row::R3_6,
        T3Row::R3_7,
        T3Row::R4,
    ];

    /// The result rows whose sum is （七）总计 (E2), for a table with or without R3.6 sub-rows.
    pub fn result_rows(with_r36_subrows: bool) -> impl Iterator<Item = T3Row> {
        let rows = if with_r36_subrows { Self::ROWS_2021 } else { Self::ROWS_2019 };
        rows.iter().copied().filter(|r| !matches!(r, T3Row::R1 | T3Row::R2 | T3Row::R3_7 | T3Row::R4))
    }

    /// The group heading a level-3 row sits under, e.g. `（三）不予公开` for R3.3.1.
    pub fn group_label(self) -> Option<&'static str> {
        use T3Row::*;
        Some(match self {
            R3_3_1 | R3_3_2 | R3_3_3 | R3_3_4 | R3_3_5 | R3_3_6 | R3_3_7 | R3_3_8 => "（三）不予公开",
            R3_4_1 | R3_4_2 | R3_4_3 => "（四）无法提供",
            R3_5_1 | R3_5_2 | R3_5_3 | R3_5_4 | R3_5_5 => "（五）不予处理",
            R3_6_1 | R3_6_2 | R3_6_3 => "（六）其他处理",
            _ => return None,
        })
    }

    /// A human-readable name for messages: group and row label.
    pub fn display_name(self) -> String {
        match self.group_label() {
            Some(g) => format!("{g}{}", self.label()),
            None => self.label().to_string(),
        }
    }
}

id_enum! {
    /// Groups of table 四 (SPEC §1.6).
    T4Group {
        Rv = "RV": "行政复议",
        Ld = "LD": "行政诉讼（未经复议直接起诉）",
        Lr = "LR": "行政诉讼（复议后起诉）",
    }
}

id_enum! {
    /// Outcome columns of table 四.
    T4Outcome {
        Maint = "MAINT": "结果维持",
        Corr = "CORR": "结果纠正",
        Other = "OTHER": "其他结果",
        Pend = "PEND": "尚未审结",
        Tot = "TOT": "总计",
    }
}

id_enum! {
    /// Rows of table 二 across both formats (SPEC §1.4, §2.2).
    T2Row {
        Reg = "REG": "规章",
        Norm = "NORM": "行政规范性文件",
        License = "LICENSE": "行政许可",
        OtherService = "OTHER_SERVICE": "其他对外管理服务事项",
        Penalty = "PENALTY": "行政处罚",
        Coercion = "COERCION": "行政强制",
        Fee = "FEE": "行政事业性收费",
        Procurement = "PROCUREMENT": "政府集中采购",
    }
}

impl T2Row {
    /// The 第二十条 item (block caption) a row belongs to.
    pub fn block(self) -> &'static str {
        match self {
            T2Row::Reg | T2Row::Norm => "第二十条第（一）项",
            T2Row::License | T2Row::OtherService => "第二十条第（五）项",
            T2Row::Penalty | T2Row::Coercion => "第二十条第（六）项",
            T2Row::Fee => "第二十条第（八）项",
            T2Row::Procurement => "第二十条第（九）项",
        }
    }
}

id_enum! {
    /// Columns of table 二 across both formats.
    T2Col {
        Issued = "ISSUED": "本年制发件数",
        Repealed = "REPEALED": "本年废止件数",
        Valid = "VALID": "现行有效件数",
        Decisions = "DECISIONS": "本年处理决定数量",
        Amount = "AMOUNT": "本年收费金额（单位：万元）",
        Made = "MADE": "本年新制作数量",
        Published = "PUBLISHED": "本年新公开数量",
        Total = "TOTAL": "对外公开总数量",
        Prev = "PREV": "上一年项目数量",
        Change = "CHANGE": "本年增/减",
        Decisions2019 = "DECISIONS_2019": "处理决定数量",
        PurchaseCount = "PURCHASE_COUNT": "采购项目数量",
        PurchaseAmount = "PURCHASE_AMOUNT": "采购总金额",
    }
}

impl T2Row {
    /// The columns of this row in the 2021 format (None: the row does not exist in 2021).
    pub fn cols_2021(self) -> Option<&'static [T2Col]> {
        use T2Col::*;
        Some(match self {
            T2Row::Reg | T2Row::Norm => &[Issued, Repealed, Valid],
            T2Row::License | T2Row::Penalty | T2Row::Coercion => &[Decisions],
            T2Row::Fee => &[Amount],
            T2Row::OtherService | T2Row::Procurement => return None,
        })
    }

    /// The columns of this row in the 2019 format.
    pub fn cols_2019(self) -> &'static [T2Col] {
        use T2Col::*;
        match self {
            T2Row::Reg | T2Row::Norm => &[Made, Published, Total],
            T2Row::License | T2Row::OtherService | T2Row::Penalty | T2Row::Coercion => &[Prev, Change, Decisions2019],
            T2Row::Fee => &[Prev, Change],
            T2Row::Procurement => &[PurchaseCount, PurchaseAmount],
        }
    }

    pub const ROWS_2021: &'static [T2Row] =
        &[T2Row::Reg, T2Row::Norm, T2Row::License, T2Row::Penalty, T2Row::Coercion, T2Row::Fee];
    pub const ROWS_2019: &'static [T2Row] = &[
        T2Row::Reg,
        T2Row::Norm,
        T2Row::License,
        T2Row::OtherService,
        T2Row::Penalty,
        T2Row::Coercion,
        T2Row::Fee,
        T2Row::Procurement,
    ];
}

impl T2Col {
    /// Whether the column holds a money amount (decimal allowed) rather than a count.
    pub fn is_money(self) -> bool {
        matches!(self, T2Col::Amount | T2Col::PurchaseAmount)
    }
    /// Whether negative values are meaningful (本年增/减).
    pub fn signed(self) -> bool {
        matches!(self, T2Col::Change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_sets_match_spec_counts() {
        assert_eq!(T3Row::ROWS_2021.len(), 25, "SPEC §1.5: 25 data rows in 2021");
        assert_eq!(T3Row::ROWS_2019.len(), 23, "SPEC §2.2: 23 data rows in 2019");
        assert_eq!(T3Row::result_rows(true).count(), 21);
        assert_eq!(T3Row::result_rows(false).count(), 19);
    }

    #[test]
    fn ids_round_trip() {
        for r in T3Row::ALL {
            assert_eq!(T3Row::from_id(r.id()), Some(*r));
            assert_eq!(serde_json::to_string(r).unwrap(), format!("\"{}\"", r.id()));
        }
        for c in Col::ALL {
            assert_eq!(Col::from_id(c.id()), Some(*c));
        }
    }
}
