//! Organisations, held as a hierarchy: region → government → departments and townships.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Database id of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrganId(pub i64);

/// What kind of body an organisation is (SPEC §1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganKind {
    /// An administrative region (省/市/县/区); it publishes nothing itself but groups governments.
    Region,
    /// 人民政府 (its report covers the government and, for aggregation, the region).
    Government,
    /// 政府工作部门 (局、委、办 …).
    Department,
    /// 乡镇人民政府 / 街道办事处.
    Township,
}

impl OrganKind {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            OrganKind::Region => "行政区域",
            OrganKind::Government => "人民政府",
            OrganKind::Department => "政府部门",
            OrganKind::Township => "乡镇（街道）",
        }
    }

    /// Parse a kind from its code (`government`) or the words clerks use (`人民政府`, `政府`,
    /// `政府部门`, `部门`, `乡镇`, `街道` …), tolerating surrounding spaces.
    pub fn parse(s: &str) -> Option<OrganKind> {
        Some(match s.trim() {
            "region" | "行政区域" | "区域" | "行政区" => OrganKind::Region,
            "government" | "人民政府" | "政府" | "本级政府" => OrganKind::Government,
            "department" | "政府部门" | "部门" | "工作部门" | "政府工作部门" => OrganKind::Department,
            "township" | "乡镇（街道）" | "乡镇(街道)" | "乡镇街道" | "乡镇" | "街道" | "乡镇人民政府"
            | "街道办事处" => OrganKind::Township,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod kind_tests {
    use super::OrganKind;

    #[test]
    fn kinds_parse_from_codes_and_chinese_words() {
        for k in [OrganKind::Region, OrganKind::Government, OrganKind::Department, OrganKind::Township] {
            assert_eq!(OrganKind::parse(k.label()), Some(k));
        }
        assert_eq!(OrganKind::parse(" 政府部门 "), Some(OrganKind::Department));
        assert_eq!(OrganKind::parse("government"), Some(OrganKind::Government));
        assert_eq!(OrganKind::parse("街道"), Some(OrganKind::Township));
        assert_eq!(OrganKind::parse("委员会"), None);
    }
}

/// An organisation of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organ {
    pub id: OrganId,
    /// Full official name, e.g. `某某县科学技术局`.
    pub name: String,
    pub kind: OrganKind,
    /// The supervising organisation (None for the root).
    pub parent: Option<OrganId>,
    /// Organisation code used in 索引号 (e.g. a 9-digit code or a unified social credit code).
    #[serde(default)]
    pub code: String,
    /// 索引号 pattern for this organ's catalogue (SPEC §7.3), see [`crate::IndexPattern`].
    #[serde(default)]
    pub index_pattern: Option<String>,
}

/// All organisations at or below `root`, in breadth-first order (root first). `organs` may be in
/// any order; cycles are cut (an organ is visited once).
pub fn descendants(organs: &[Organ], root: OrganId) -> Vec<OrganId> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let cur = out[i];
        for o in organs {
            if o.parent == Some(cur) && !out.contains(&o.id) {
                out.push(o.id);
            }
        }
        i += 1;
    }
    out
}

/// Yearly counts that feed table 二 blocks B–D (SPEC §1.4): decisions on licences, penalties and
/// enforcement measures, and the fee amount in 万元. `None` means "not recorded", which compiles
/// to a blank cell, never to 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearlyCounts {
    pub organ: OrganId,
    pub year: i16,
    /// 行政许可 本年处理决定数量.
    pub licences: Option<u64>,
    /// 行政处罚 本年处理决定数量.
    pub penalties: Option<u64>,
    /// 行政强制 本年处理决定数量.
    pub coercions: Option<u64>,
    /// 行政事业性收费 本年收费金额 in 万元 (a decimal, never a float).
    pub fee_wan: Option<Decimal>,
    /// When the counts were last confirmed (for the audit trail; informative).
    #[serde(default)]
    pub confirmed_on: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn organ(id: i64, parent: Option<i64>, kind: OrganKind) -> Organ {
        Organ {
            id: OrganId(id),
            name: format!("机关{id}"),
            kind,
            parent: parent.map(OrganId),
            code: String::new(),
            index_pattern: None,
        }
    }

    #[test]
    fn descendants_walks_the_hierarchy_and_survives_cycles() {
        let mut organs = vec![
            organ(1, None, OrganKind::Region),
            organ(2, Some(1), OrganKind::Government),
            organ(3, Some(2), OrganKind::Department),
            organ(4, Some(2), OrganKind::Township),
            organ(5, Some(9), OrganKind::Department),
        ];
        assert_eq!(descendants(&organs, OrganId(2)), vec![OrganId(2), OrganId(3), OrganId(4)]);
        assert_eq!(descendants(&organs, OrganId(1)).len(), 4);
        // A cycle 1 → 2 → 1 does not loop forever.
        organs[0].parent = Some(OrganId(2));
        assert_eq!(descendants(&organs, OrganId(1)).len(), 4);
    }
}
