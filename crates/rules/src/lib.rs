//! Rule checker for annual reports. Pure: a [`Report`] in, findings out; no IO.
//!
//! Rule ids are stable and come from SPEC.md: identities `E1`–`E4`, `E7` (§1.7) and defects
//! `D1`, `D8`, `D10`, `D12`–`D14`, `D16`, `D17`, `D21`–`D23` (§6). Arithmetic identities are only
//! evaluated when every cell involved is a number: a blank or unreadable cell is reported
//! once (D8, or a `P` finding of the parser) and never produces a false arithmetic error.

mod catalogue;
pub mod cross;
pub mod similarity;
mod tables;
mod text;

pub use catalogue::{RULES, RuleInfo};

use gongkai_model::{Finding, Report};

/// Run every single-report rule.
pub fn check(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    tables::check_tables(report, &mut out);
    text::check_text(report, &mut out);
    out
}
