//! A report as a document: report data (`gongkai.report/1` JSON) read back, and a report
//! written in the official layout in any of the formats a front end offers (the CLI's
//! `render`, `compile` and `aggregate`; a download in the web).

use anyhow::{Context, Result, bail};
use gongkai_model::Report;

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// The official layout as an HTML page, with the template's row and column spans.
    Html,
    Markdown,
    /// The official tables' text export (one cell per line).
    Text,
    /// Report data (`gongkai.report/1`).
    Json,
    /// Word, in the GB/T 9704 layout.
    Docx,
    /// Excel: a sheet per table, 总计 as SUM formulas with their values.
    Xlsx,
}

impl Document {
    /// Whether the bytes are binary (not for a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self, Document::Docx | Document::Xlsx)
    }
}

/// A report in the official layout, in the chosen format.
pub fn render(report: &Report, to: Document) -> Vec<u8> {
    match to {
        Document::Html => gongkai_render::html(report).into_bytes(),
        Document::Markdown => gongkai_render::markdown(report).into_bytes(),
        Document::Text => gongkai_render::text(report, gongkai_render::TextShape::CellPerLine).into_bytes(),
        Document::Json => (gongkai_render::json(report) + "\n").into_bytes(),
        Document::Docx => gongkai_office::docx(report),
        Document::Xlsx => gongkai_office::xlsx(report),
    }
}

/// Report data read back (`name` for messages), refused unless it is of this program's schema
/// version.
pub fn read_report_json(text: &str, name: &str) -> Result<Report> {
    let report: Report =
        serde_json::from_str(text).with_context(|| format!("“{name}”不是 gongkai.report/1 格式的报告数据"))?;
    if report.schema != gongkai_model::SCHEMA_VERSION {
        bail!("报告数据版本为“{}”，本程序支持“{}”", report.schema, gongkai_model::SCHEMA_VERSION);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_data_round_trips_and_other_versions_are_refused() {
        let r = Report::empty();
        let text = String::from_utf8(render(&r, Document::Json)).unwrap();
        assert_eq!(read_report_json(&text, "r.json").unwrap(), r);
        let old = text.replace(gongkai_model::SCHEMA_VERSION, "gongkai.report/0");
        let e = read_report_json(&old, "r.json").unwrap_err().to_string();
        assert!(e.contains("gongkai.report/0"), "{e}");
        let e = format!("{:#}", read_report_json("[]", "r.json").unwrap_err());
        assert!(e.starts_with("“r.json”不是 gongkai.report/1 格式的报告数据"), "{e}");
    }
}
