//! Findings: what the parser and the checker report about a document.

use serde::{Deserialize, Serialize};

use crate::cell::Src;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warning => "警告",
            Severity::Error => "错误",
        }
    }
}

/// One finding. `rule` is a stable id: `E1`–`E8` (identities), `D1`–`D23` (defects, SPEC §6)
/// or `P1`… (the document could not be fully read). `cells` names the cells involved as
/// `table3.R1.TOT`, `table4.RV.TOT`, `table2.REG.ISSUED`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Src>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<String>,
    /// A second place the finding is about (the table cell a sentence contradicts, the
    /// table label a citation contradicts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<Box<Src>>,
}

impl Finding {
    pub fn new(rule: &str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            location: None,
            cells: Vec::new(),
            related: None,
        }
    }
    pub fn at(mut self, src: Option<Src>) -> Self {
        self.location = src;
        self
    }
    /// Set the second location ([`Finding::related`]).
    pub fn also(mut self, src: Option<Src>) -> Self {
        self.related = src.map(Box::new);
        self
    }
    pub fn cells(mut self, cells: impl IntoIterator<Item = String>) -> Self {
        self.cells.extend(cells);
        self
    }
}
