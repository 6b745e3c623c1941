//! Administrative review and litigation cases about disclosure (第五十一条) → table 四 (SPEC §1.6).

use crate::OrganId;
use gongkai_model::ids::{T4Group, T4Outcome};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Database id of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub i64);

/// 行政复议, 未经复议直接起诉, 复议后起诉.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Review,
    DirectLitigation,
    LitigationAfterReview,
}

impl CaseKind {
    pub const ALL: [CaseKind; 3] = [CaseKind::Review, CaseKind::DirectLitigation, CaseKind::LitigationAfterReview];

    /// The table-四 group.
    pub fn group(self) -> T4Group {
        match self {
            CaseKind::Review => T4Group::Rv,
            CaseKind::DirectLitigation => T4Group::Ld,
            CaseKind::LitigationAfterReview => T4Group::Lr,
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            CaseKind::Review => "行政复议",
            CaseKind::DirectLitigation => "未经复议直接起诉",
            CaseKind::LitigationAfterReview => "复议后起诉",
        }
    }
}

/// The result of a concluded case (definitions are common practice, SPEC §1.6 UNCONFIRMED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseResult {
    /// 维持 / 驳回诉讼请求.
    Maintained,
    /// 撤销、变更、确认违法、责令履行.
    Corrected,
    /// 撤回、终止、驳回起诉 …
    Other,
}

impl CaseResult {
    pub const ALL: [CaseResult; 3] = [CaseResult::Maintained, CaseResult::Corrected, CaseResult::Other];

    /// The table-四 outcome column.
    pub fn outcome(self) -> T4Outcome {
        match self {
            CaseResult::Maintained => T4Outcome::Maint,
            CaseResult::Corrected => T4Outcome::Corr,
            CaseResult::Other => T4Outcome::Other,
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            CaseResult::Maintained => "结果维持",
            CaseResult::Corrected => "结果纠正",
            CaseResult::Other => "其他结果",
        }
    }
}

/// A review or litigation case in which the organ is the respondent/defendant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub organ: OrganId,
    pub kind: CaseKind,
    /// Case number (案号), free text.
    #[serde(default)]
    pub number: String,
    /// Date the case was filed/accepted.
    pub filed: Date,
    /// Date and result once concluded.
    pub concluded: Option<(Date, CaseResult)>,
    pub version: i64,
}

impl Case {
    /// The table-四 outcome column of this case as seen at the end of `day`: its result when it
    /// was concluded by then, 尚未审结 otherwise.
    pub fn outcome_at_end_of(&self, day: Date) -> T4Outcome {
        match self.concluded {
            Some((d, r)) if d <= day => r.outcome(),
            _ => T4Outcome::Pend,
        }
    }
}
