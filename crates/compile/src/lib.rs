//! Compile the annual report (政府信息公开工作年度报告) from the register's records, and sum
//! reports of a region.
//!
//! Invariants:
//! - pure: values in, values out; no IO and no clock reads (the report year is a parameter);
//! - the compiled tables satisfy E1–E4 (SPEC §1.7) by construction, and E5 between consecutive
//!   years: every application is counted by the same rules in every year (R1 = received in Y,
//!   R2 = open at the end of Y−1, R3.* = concluded in Y, R4 = open at the end of Y), each
//!   concluded application in exactly one outcome row (E8). `tests/property.rs` checks this
//!   with the engine's own checker on random event histories;
//! - blank is never 0: a value the records do not hold compiles to a blank cell, and a note says
//!   which cell and why;
//! - cells carry no provenance (`src` is `None`): they were computed, not read from a document;
//!   `report.source.kind` is `"compiled"`.

mod aggregate;
mod tables;
mod text;

use std::collections::HashSet;

use gongkai_model::report::Located;
use gongkai_model::{FormatVersion, Report, Src};
use gongkai_register::{Application, Case, CatalogueEntry, Organ, OrganId, OrganKind, YearlyCounts, descendants};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use aggregate::{Difference, aggregate, compare};

/// What table 三 and the fee statement need of one application (SPEC §1.7): its organ,
/// applicant column, receipt, conclusion row, and the fees it paid. A store can hand these in
/// directly from its indexed columns instead of whole event logs ([`Records::facts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppFacts {
    pub organ: OrganId,
    /// Name used in notes (the 受理编号).
    pub serial: String,
    pub kind: gongkai_register::ApplicantKind,
    /// Receipt date (第三十一条); None when the log has no receipt (noted, not counted).
    pub received: Option<Date>,
    pub conclusion: Option<gongkai_register::Conclusion>,
    /// Each fee paid: payment date and the amount of the fee notice before it, in yuan
    /// (None when the notice recorded no amount).
    pub fees_paid: Vec<(Date, Option<u64>)>,
}

impl AppFacts {
    /// The facts of a whole application.
    pub fn of(a: &Application) -> AppFacts {
        AppFacts {
            organ: a.organ,
            serial: a.serial.clone(),
            kind: a.applicant.kind,
            received: a.received(),
            conclusion: a.conclusion(),
            fees_paid: fees_paid(&a.events),
        }
    }
}

/// Fees paid in an event log: (payment date, amount of the latest fee notice).
pub fn fees_paid(events: &[gongkai_register::Event]) -> Vec<(Date, Option<u64>)> {
    use gongkai_register::Event;
    let mut notice: Option<Option<u64>> = None;
    let mut out = Vec::new();
    for e in events {
        match e {
            Event::FeeNotice { amount, .. } => notice = Some(*amount),
            Event::FeePaid { date } => out.push((*date, notice.flatten())),
            _ => {}
        }
    }
    out
}

/// Borrowed views of the register's records. The store hands its slices in; nothing is copied.
#[derive(Debug, Clone, Copy, Default)]
pub struct Records<'a> {
    pub organs: &'a [Organ],
    pub applications: &'a [Application],
    /// Applications given as their facts only (counted like `applications`).
    pub facts: &'a [AppFacts],
    pub catalogue: &'a [CatalogueEntry],
    pub counts: &'a [YearlyCounts],
    pub cases: &'a [Case],
}

/// Owned records, as read from a JSON file (`docs/records-json.md`). Every list may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSet {
    #[serde(default)]
    pub organs: Vec<Organ>,
    #[serde(default)]
    pub applications: Vec<Application>,
    #[serde(default)]
    pub catalogue: Vec<CatalogueEntry>,
    #[serde(default)]
    pub counts: Vec<YearlyCounts>,
    #[serde(default)]
    pub cases: Vec<Case>,
}

impl RecordSet {
    /// Borrow as [`Records`].
    pub fn records(&self) -> Records<'_> {
        Records {
            organs: &self.organs,
            applications: &self.applications,
            facts: &[],
            catalogue: &self.catalogue,
            counts: &self.counts,
            cases: &self.cases,
        }
    }
}

/// Options of a compilation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Signature date (落款日期) printed under the organ's name at the end of section 六. None:
    /// no signature block (the clerk adds it when the report is approved).
    pub signature_date: Option<Date>,
}

/// What the compiler wants the clerk to know: records it could not use, cells it left blank,
/// sums over partly blank cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Stable kind: `skipped` (a record not counted), `blank` (a cell left blank),
    /// `partial` (a sum over some blank cells), `unreadable` (a sum over an unreadable cell),
    /// `format` (format differences between summed reports), `year`.
    pub kind: NoteKind,
    /// The cells concerned, as `table2.FEE.AMOUNT`, `table3.R1.TOT` …
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<String>,
    /// Chinese message for the clerk.
    pub message: String,
}

/// Kind of a [`Note`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    Skipped,
    Blank,
    Partial,
    Unreadable,
    Format,
    Year,
}

impl Note {
    pub(crate) fn new(kind: NoteKind, message: impl Into<String>) -> Note {
        Note { kind, cells: Vec::new(), message: message.into() }
    }
    pub(crate) fn cells(mut self, cells: impl IntoIterator<Item = String>) -> Note {
        self.cells = cells.into_iter().collect();
        self
    }
}

/// A compiled (or summed) report and the notes about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compiled {
    pub report: Report,
    pub notes: Vec<Note>,
}

/// Why a report cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    #[error("{0}年的年度报告没有统一的表格格式（2019年版格式自2019年度报告起使用），无法编制")]
    YearBeforeFormat(i16),
    #[error("年度{0}超出可编制的范围（2019–9998）")]
    YearOutOfRange(i16),
    #[error("台账中没有编号为{0}的机关")]
    UnknownOrgan(i64),
}

impl CompileError {
    /// A stable code for programs and logs (never changes with the wording).
    pub fn code(&self) -> &'static str {
        match self {
            CompileError::YearBeforeFormat(_) => "compile.year_before_format",
            CompileError::YearOutOfRange(_) => "compile.year_out_of_range",
            CompileError::UnknownOrgan(_) => "compile.unknown_organ",
        }
    }
}

/// The first year with a unified table format (国办公开办函〔2019〕60号, SPEC §2.1).
pub const FIRST_YEAR: i16 = 2019;

/// The table format of a report year (SPEC §2.5): 2019 format for 2019–2020, 2021 format from
/// 2021. Years before 2019 have no unified tables and cannot be compiled.
pub fn format_for_year(year: i16) -> Result<FormatVersion, CompileError> {
    match year {
        ..FIRST_YEAR => Err(CompileError::YearBeforeFormat(year)),
        9999.. => Err(CompileError::YearOutOfRange(year)),
        2019 | 2020 => Ok(FormatVersion::F2019),
        _ => Ok(FormatVersion::F2021),
    }
}

/// The organs a compilation covers, with a fast membership test.
pub(crate) struct Scope {
    ids: Vec<OrganId>,
    set: HashSet<OrganId>,
}

impl Scope {
    fn new(ids: Vec<OrganId>) -> Scope {
        let set = ids.iter().copied().collect();
        Scope { ids, set }
    }
    pub(crate) fn contains(&self, id: OrganId) -> bool {
        if self.ids.len() == 1 { self.ids[0] == id } else { self.set.contains(&id) }
    }
    pub(crate) fn ids(&self) -> &[OrganId] {
        &self.ids
    }
}

/// Year boundaries: the last day of Y−1 (R2) and of Y (R4, 现行有效件数, 尚未审结).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Period {
    pub year: i16,
    pub prev_end: Date,
    pub end: Date,
}

impl Period {
    fn new(year: i16) -> Period {
        Period { year, prev_end: jiff::civil::date(year - 1, 12, 31), end: jiff::civil::date(year, 12, 31) }
    }
    pub(crate) fn contains(&self, d: Date) -> bool {
        d > self.prev_end && d <= self.end
    }
}

fn find_organ<'a>(records: &Records<'a>, id: OrganId) -> Result<&'a Organ, CompileError> {
    records.organs.iter().find(|o| o.id == id).ok_or(CompileError::UnknownOrgan(id.0))
}

/// Compile the report of one organ for `year` from its own records (the organ's applications,
/// catalogue entries, yearly counts and cases; subordinate organs are not included — see
/// [`compile_region`]).
pub fn compile(records: &Records, organ: OrganId, year: i16, opts: &Options) -> Result<Compiled, CompileError> {
    let format = format_for_year(year)?;
    let o = find_organ(records, organ)?;
    let scope = Scope::new(vec![organ]);
    Ok(build(records, o, &scope, year, format, opts, false))
}

/// Compile the report of the region under `root`: the tables summed over every organ of the
/// subtree ([`descendants`], the root itself included). Summing the records is the same as
/// summing each organ's compiled tables, so the identities still hold by construction.
pub fn compile_region(records: &Records, root: OrganId, year: i16, opts: &Options) -> Result<Compiled, CompileError> {
    let format = format_for_year(year)?;
    let o = find_organ(records, root)?;
    let scope = Scope::new(descendants(records.organs, root));
    Ok(build(records, o, &scope, year, format, opts, true))
}

fn located<T>(value: T) -> Located<T> {
    Located { value, src: Src::default() }
}

fn build(
    records: &Records,
    organ: &Organ,
    scope: &Scope,
    year: i16,
    format: FormatVersion,
    opts: &Options,
    region: bool,
) -> Compiled {
    let period = Period::new(year);
    let mut notes = Vec::new();
    let mut r = Report::empty();
    r.source.kind = "compiled".to_string();
    r.format = format;
    r.title = Some(located(format!("{}{year}年政府信息公开工作年度报告", organ.name)));
    r.organ = Some(located(organ.name.clone()));
    r.year = Some(located(i32::from(year)));

    let f2021 = format == FormatVersion::F2021;
    let facts = records.applications.iter().map(AppFacts::of).chain(records.facts.iter().cloned());
    let t3 = tables::table3(facts, scope, period, f2021, &mut notes);
    r.table3 = t3.table;
    tables::table2(records, scope, period, f2021, &mut notes, &mut r.table2);
    r.table4 = tables::table4(records.cases, scope, period);

    let facts = text::Facts {
        organ: &organ.name,
        year,
        government: organ.kind == OrganKind::Government,
        region: region.then(|| scope.ids().len()),
        fees: t3.fees,
        f2021,
        signature: opts.signature_date,
    };
    let (preamble, sections) = text::sections(&r, &facts);
    r.preamble = preamble;
    r.sections = sections;
    if opts.signature_date.is_some() {
        r.signature = Some(located(organ.name.clone()));
    }
    Compiled { report: r, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_stable_and_unique() {
        let codes = [
            CompileError::YearBeforeFormat(2018).code(),
            CompileError::YearOutOfRange(9999).code(),
            CompileError::UnknownOrgan(1).code(),
        ];
        assert_eq!(codes, ["compile.year_before_format", "compile.year_out_of_range", "compile.unknown_organ"]);
    }

    #[test]
    fn format_by_year_spec_2_5() {
        assert_eq!(format_for_year(2018), Err(CompileError::YearBeforeFormat(2018)));
        assert_eq!(format_for_year(2019), Ok(FormatVersion::F2019));
        assert_eq!(format_for_year(2020), Ok(FormatVersion::F2019));
        assert_eq!(format_for_year(2021), Ok(FormatVersion::F2021));
        assert_eq!(format_for_year(2026), Ok(FormatVersion::F2021));
        assert_eq!(format_for_year(i16::MAX), Err(CompileError::YearOutOfRange(i16::MAX)));
    }

    #[test]
    fn period_bounds_are_the_last_days_of_y_minus_1_and_y() {
        let p = Period::new(2024);
        assert!(!p.contains(jiff::civil::date(2023, 12, 31)));
        assert!(p.contains(jiff::civil::date(2024, 1, 1)));
        assert!(p.contains(jiff::civil::date(2024, 12, 31)));
        assert!(!p.contains(jiff::civil::date(2025, 1, 1)));
    }
}
