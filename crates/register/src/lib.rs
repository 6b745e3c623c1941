//! The records a disclosure office keeps (SPEC §3, §7): organisations in a hierarchy,
//! applications with their event logs, catalogue entries with 索引号, yearly counts for table 二,
//! and review/litigation cases for table 四.
//!
//! Invariants:
//! - pure data and pure functions: no IO, no clock reads (dates are always passed in);
//! - every applicant kind maps to exactly one column of table 三 ([`ApplicantKind::col`]);
//! - every concluded application maps to exactly one outcome row ([`Application::conclusion`], E8);
//! - personal data leaves this crate masked unless the caller explicitly asks for it
//!   ([`Applicant::masked`]).

mod applicant;
mod application;
mod case;
mod catalogue;
pub mod ledger;
mod organ;
pub mod validate;

pub use applicant::{Applicant, ApplicantKind, mask_id_number, mask_name, mask_phone};
pub use application::{AppId, Application, Conclusion, RequestedForm};
pub use case::{Case, CaseId, CaseKind, CaseResult};
pub use catalogue::{CatalogueEntry, CatalogueKind, EntryId, IndexPattern, IndexPatternError, Validity};
pub use organ::{Organ, OrganId, OrganKind, YearlyCounts, descendants};

pub use gongkai_clock::{Channel, Event, Outcome};
pub use jiff::civil::Date;
