//! Outcome rows of table 三 (SPEC §1.5, 2021 format) that close an application. The rows
//! themselves (ids such as `"R3.1"`, `"R3.3.4"`, `"R3.6.3"` and labels) are defined once, by
//! `gongkai_model::T3Row`; an `Outcome` is the subset of those rows that can end an application,
//! mapped to its row by an exhaustive match (no fallback), and serialised as the row's id.

use gongkai_model::T3Row;
use serde::{Deserialize, Serialize};

/// R3.2's table label carries a counting note; the casework label is the short form.
const R3_2_COUNTING_NOTE: &str = "（区分处理的，只计这一情形，不计其他情形）";

macro_rules! outcomes {
    (outcomes: $($var:ident),+ ; not_outcomes: $($non:ident),+ $(;)?) => {
        /// How an application ended, as a table-三 row (SPEC §1.5, §3.5).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(into = "T3Row", try_from = "T3Row")]
        pub enum Outcome {
            $($var,)+
        }

        impl Outcome {
            /// Every outcome row, in table order.
            pub const ALL: &'static [Outcome] = &[$(Outcome::$var),+];

            /// The table-三 row this outcome is counted in (2021 format).
            pub fn row(self) -> T3Row {
                match self { $(Outcome::$var => T3Row::$var),+ }
            }

            /// The outcome a table-三 row stands for; `None` for rows that are not an outcome
            /// (new, carried over, the 2019 single R3.6, the total, carried forward). The match
            /// is exhaustive: a new `T3Row` must be placed on one side or the other.
            pub fn from_row(row: T3Row) -> Option<Outcome> {
                match row {
                    $(T3Row::$var => Some(Outcome::$var),)+
                    $(T3Row::$non)|+ => None,
                }
            }
        }
    };
}

outcomes! {
    outcomes: R3_1, R3_2, R3_3_1, R3_3_2, R3_3_3, R3_3_4, R3_3_5, R3_3_6, R3_3_7, R3_3_8, R3_4_1, R3_4_2,
        R3_4_3, R3_5_1, R3_5_2, R3_5_3, R3_5_4, R3_5_5, R3_6_1, R3_6_2, R3_6_3;
    not_outcomes: R1, R2, R3_6, R3_7, R4;
}

impl Outcome {
    /// The SPEC §1.5 row id, e.g. `"R3.3.4"`.
    pub fn id(self) -> &'static str {
        self.row().id()
    }

    /// The official label with its group, e.g. `（三）不予公开4.保护第三方合法权益` (R3.2 without
    /// its counting note).
    pub fn label(self) -> String {
        let row = self.row();
        let label = row.label().strip_suffix(R3_2_COUNTING_NOTE).unwrap_or(row.label());
        format!("{}{label}", row.group_label().unwrap_or(""))
    }

    /// The row with this id, if it is an outcome row.
    pub fn from_id(s: &str) -> Option<Outcome> {
        T3Row::from_id(s).and_then(Outcome::from_row)
    }
}

impl From<Outcome> for T3Row {
    fn from(o: Outcome) -> T3Row {
        o.row()
    }
}

/// A table-三 row that is not an outcome (R1, R2, the 2019 R3.6, R3.7, R4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("表三“{}”行不是办理结果行（应为 R3.1、R3.3.4、R3.6.3 等）", .0.id())]
pub struct NotAnOutcome(pub T3Row);

impl TryFrom<T3Row> for Outcome {
    type Error = NotAnOutcome;
    fn try_from(row: T3Row) -> Result<Outcome, NotAnOutcome> {
        Outcome::from_row(row).ok_or(NotAnOutcome(row))
    }
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
        assert_eq!(Outcome::R3_2.label(), "（二）部分公开");
        assert_eq!(Outcome::R3_6_3.label(), "（六）其他处理3.其他");
        assert!(serde_json::from_str::<Outcome>("\"R3.6\"").is_err());
    }

    #[test]
    fn every_outcome_is_one_distinct_t3_row_and_back() {
        let rows: std::collections::BTreeSet<T3Row> = Outcome::ALL.iter().map(|o| o.row()).collect();
        assert_eq!(rows.len(), Outcome::ALL.len(), "two outcomes share a row");
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_row(o.row()), Some(*o));
            assert_eq!(T3Row::from(*o).id(), o.id());
        }
        // The outcome rows are exactly the 2021 result rows, in table order.
        let results: Vec<T3Row> = T3Row::result_rows(true).collect();
        assert_eq!(Outcome::ALL.iter().map(|o| o.row()).collect::<Vec<_>>(), results);
        for row in T3Row::ALL {
            assert_eq!(Outcome::from_row(*row).is_some(), results.contains(row), "{row}");
        }
    }
}
