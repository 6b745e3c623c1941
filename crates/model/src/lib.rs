//! Typed model of the 政府信息公开工作年度报告 (SPEC §1, §2).
//!
//! Invariant: this crate does no IO. It holds the report data, the official labels and ids,
//! label normalisation, and the finding type shared by the parser and the checker.

pub mod cell;
pub mod doc;
pub mod finding;
pub mod ids;
pub mod labels;
pub mod normalize;
pub mod report;
pub mod space;
pub mod table;

pub use cell::{Cell, CellValue, GridPos, Src};
pub use finding::{Finding, Severity};
pub use ids::{Col, T2Col, T2Row, T3Row, T4Group, T4Outcome};
pub use report::{
    FormatBasis, FormatMarker, FormatVersion, Para, Pre2019, Report, SCHEMA_VERSION, Section, SectionId, StatRow,
    Table2, Table3, Table4, YearBasis,
};
pub use table::{Row, Table, TableId};
