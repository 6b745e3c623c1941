//! Applicants and the columns of table 三 (SPEC §1.5): 自然人, then 法人或其他组织 split into
//! 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他.

use gongkai_model::ids::Col;
use serde::{Deserialize, Serialize};

/// Applicant type and sub-type. Each maps to exactly one applicant column of table 三.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// 自然人.
    NaturalPerson,
    /// 法人或其他组织 — 商业企业.
    Business,
    /// 法人或其他组织 — 科研机构.
    Research,
    /// 法人或其他组织 — 社会公益组织.
    Ngo,
    /// 法人或其他组织 — 法律服务机构.
    LegalService,
    /// 法人或其他组织 — 其他.
    Other,
}

impl ApplicantKind {
    /// Every kind, in the column order of table 三.
    pub const ALL: [ApplicantKind; 6] = [
        ApplicantKind::NaturalPerson,
        ApplicantKind::Business,
        ApplicantKind::Research,
        ApplicantKind::Ngo,
        ApplicantKind::LegalService,
        ApplicantKind::Other,
    ];

    /// The table-三 column (SPEC §1.5 / §1.7 ids).
    pub fn col(self) -> Col {
        match self {
            ApplicantKind::NaturalPerson => Col::Np,
            ApplicantKind::Business => Col::Biz,
            ApplicantKind::Research => Col::Res,
            ApplicantKind::Ngo => Col::Ngo,
            ApplicantKind::LegalService => Col::Law,
            ApplicantKind::Other => Col::Oth,
        }
    }

    /// The kind for a table-三 applicant column (None for `TOT`).
    pub fn from_col(col: Col) -> Option<ApplicantKind> {
        ApplicantKind::ALL.into_iter().find(|k| k.col() == col)
    }

    /// Chinese label as clerks write it in a 台账.
    pub fn label(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "自然人",
            ApplicantKind::Business => "商业企业",
            ApplicantKind::Research => "科研机构",
            ApplicantKind::Ngo => "社会公益组织",
            ApplicantKind::LegalService => "法律服务机构",
            ApplicantKind::Other => "其他",
        }
    }

    /// Parse a Chinese label or a column id (`NP`, `BIZ` …), tolerating surrounding spaces.
    pub fn parse(s: &str) -> Option<ApplicantKind> {
        let s = s.trim();
        ApplicantKind::ALL.into_iter().find(|k| k.label() == s || k.col().id().eq_ignore_ascii_case(s)).or(match s {
            "公民" | "个人" => Some(ApplicantKind::NaturalPerson),
            "企业" => Some(ApplicantKind::Business),
            "律师事务所" => Some(ApplicantKind::LegalService),
            "其他组织" => Some(ApplicantKind::Other),
            _ => None,
        })
    }
}

/// The applicant, with personal data. `Debug` is written by hand so that personal data never
/// reaches a log through `{:?}`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub kind: ApplicantKind,
    /// Name of the person or organisation.
    pub name: String,
    /// 身份证号 or 统一社会信用代码.
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl std::fmt::Debug for Applicant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = self.masked();
        f.debug_struct("Applicant")
            .field("kind", &m.kind)
            .field("name", &m.name)
            .field("id_number", &m.id_number)
            .field("phone", &m.phone)
            .finish_non_exhaustive()
    }
}

impl Applicant {
    /// An applicant known only by kind and name (no contact or identity data recorded).
    pub fn new(kind: ApplicantKind, name: impl Into<String>) -> Applicant {
        Applicant { kind, name: name.into(), id_number: None, phone: None, address: None, email: None }
    }

    /// A copy safe for listings and exports to roles that may not see personal data. Organisations'
    /// names are public and stay readable; a natural person's name keeps its first character.
    pub fn masked(&self) -> Applicant {
        Applicant {
            kind: self.kind,
            name: if self.kind == ApplicantKind::NaturalPerson { mask_name(&self.name) } else { self.name.clone() },
            id_number: self.id_number.as_deref().map(mask_id_number),
            phone: self.phone.as_deref().map(mask_phone),
            address: self.address.as_ref().map(|_| "***".to_string()),
            email: self.email.as_deref().map(mask_email),
        }
    }
}

/// `张三丰` → `张**`; one-character names become `*`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count();
            if rest == 0 {
                "*".to_string()
            } else {
                std::iter::once(first).chain(std::iter::repeat_n('*', rest)).collect()
            }
        }
    }
}

/// Keep the first `head` and last `tail` characters, star the rest (all stars when too short).
fn keep_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(chars.len());
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n('*', chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `13812345678` → `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    keep_ends(phone, 3, 4)
}

/// `110101199001011234` → `110***********1234`.
pub fn mask_id_number(id: &str) -> String {
    keep_ends(id, 3, 4)
}

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((user, domain)) => format!("{}@{domain}", keep_ends(user, 1, 0)),
        None => keep_ends(email, 1, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_maps_to_one_distinct_applicant_column() {
        let cols: std::collections::BTreeSet<Col> = ApplicantKind::ALL.iter().map(|k| k.col()).collect();
        assert_eq!(cols.len(), 6);
        assert!(!cols.contains(&Col::Tot));
        for k in ApplicantKind::ALL {
            assert_eq!(ApplicantKind::from_col(k.col()), Some(k));
            assert_eq!(ApplicantKind::parse(k.label()), Some(k));
            assert_eq!(ApplicantKind::parse(k.col().id()), Some(k));
        }
        assert_eq!(ApplicantKind::from_col(Col::Tot), None);
        assert_eq!(ApplicantKind::parse("火星人"), None);
    }

    #[test]
    fn masking_hides_personal_data_and_debug_never_shows_it() {
        let a = Applicant {
            kind: ApplicantKind::NaturalPerson,
            name: "张三丰".into(),
            id_number: Some("110101199001011234".into()),
            phone: Some("13812345678".into()),
            address: Some("某省某市某路1号".into()),
            email: Some("zhangsan@example.cn".into()),
        };
        let m = a.masked();
        assert_eq!(m.name, "张**");
        assert_eq!(m.id_number.as_deref(), Some("110***********1234"));
        assert_eq!(m.phone.as_deref(), Some("138****5678"));
        assert_eq!(m.address.as_deref(), Some("***"));
        assert_eq!(m.email.as_deref(), Some("z*******@example.cn"));
        let dbg = format!("{a:?}");
        for secret in ["张三丰", "199001011234", "12345678", "某路", "zhangsan"] {
            assert!(!dbg.contains(secret), "{secret} leaked into Debug: {dbg}");
        }
        // Organisations' names are public.
        let org = Applicant { kind: ApplicantKind::LegalService, name: "某某律师事务所".into(), ..a };
        assert_eq!(org.masked().name, "某某律师事务所");
        assert_eq!(mask_name("李"), "*");
        assert_eq!(mask_phone("123"), "***");
    }
}
