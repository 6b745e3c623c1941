//! Outcome rows of table 三 (SPEC §1.5, 2021 format) that close an application. The ids are
//! the stable row ids of SPEC §1.5 (`"R3.1"`, `"R3.3.4"`, `"R3.6.3"` …) and are what JSON uses.
//! This is deliberately a small enum of its own: the clock does not depend on the report model.

use serde::{Deserialize, Serialize};

macro_rules! outcomes {
    ($($var:ident = $id:literal : $group:literal, $label:literal;)+) => {
        /// How an application ended, as a table-三 row (SPEC §1.5, §3.5).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Outcome {
            $(#[serde(rename = $id)] $var,)+
        }

        impl Outcome {
            /// Every outcome row, in table order.
            pub const ALL: &'static [Outcome] = &[$(Outcome::$var),+];

            /// The SPEC §1.5 row id, e.g. `"R3.3.4"`.
            pub fn id(self) -> &'static str {
                match self { $(Outcome::$var => $id),+ }
            }

            /// The official label with its group, e.g. `（三）不予公开 4.保护第三方合法权益`.
            pub fn label(self) -> String {
                match self {
                    $(Outcome::$var => if $group.is_empty() {
                        $label.to_string()
                    } else {
                        format!("{}{}", $group, $label)
                    }),+
                }
            }

            /// The row with this id, if it is an outcome row.
            pub fn from_id(s: &str) -> Option<Outcome> {
                match s { $($id => Some(Outcome::$var),)+ _ => None }
            }
        }
    };
}

outcomes! {
    R3_1 = "R3.1": "", "（一）予以公开";
    R3_2 = "R3.2": "", "（二）部分公开";
    R3_3_1 = "R3.3.1": "（三）不予公开", "1.属于国家秘密";
    R3_3_2 = "R3.3.2": "（三）不予公开", "2.其他法律行政法规禁止公开";
    R3_3_3 = "R3.3.3": "（三）不予公开", "3.危及“三安全一稳定”";
    R3_3_4 = "R3.3.4": "（三）不予公开", "4.保护第三方合法权益";
    R3_3_5 = "R3.3.5": "（三）不予公开", "5.属于三类内部事务信息";
    R3_3_6 = "R3.3.6": "（三）不予公开", "6.属于四类过程性信息";
    R3_3_7 = "R3.3.7": "（三）不予公开", "7.属于行政执法案卷";
    R3_3_8 = "R3.3.8": "（三）不予公开", "8.属于行政查询事项";
    R3_4_1 = "R3.4.1": "（四）无法提供", "1.本机关不掌握相关政府信息";
    R3_4_2 = "R3.4.2": "（四）无法提供", "2.没有现成信息需要另行制作";
    R3_4_3 = "R3.4.3": "（四）无法提供", "3.补正后申请内容仍不明确";
    R3_5_1 = "R3.5.1": "（五）不予处理", "1.信访举报投诉类申请";
    R3_5_2 = "R3.5.2": "（五）不予处理", "2.重复申请";
    R3_5_3 = "R3.5.3": "（五）不予处理", "3.要求提供公开出版物";
    R3_5_4 = "R3.5.4": "（五）不予处理", "4.无正当理由大量反复申请";
    R3_5_5 = "R3.5.5": "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息";
    R3_6_1 = "R3.6.1": "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请";
    R3_6_2 = "R3.6.2": "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请";
    R3_6_3 = "R3.6.3": "（六）其他处理", "3.其他";
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl std::str::FromStr for Outcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Outcome, String> {
        Outcome::from_id(s.trim()).ok_or_else(|| format!("“{s}”不是表三的办理结果行（应为 R3.1、R3.3.4、R3.6.3 等）"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_serialize_as_spec_ids() {
        assert_eq!(Outcome::ALL.len(), 21);
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_id(o.id()), Some(*o));
            assert_eq!(serde_json::to_string(o).unwrap(), format!("\"{}\"", o.id()));
        }
        assert_eq!("R3.3.4".parse::<Outcome>().unwrap().label(), "（三）不予公开4.保护第三方合法权益");
        assert!("R3.7".parse::<Outcome>().is_err());
    }
}
