//! One entry for every input the engine reads. [`read`] takes a file's bytes (and its name,
//! used only to name the report and to tell an HTML page by its extension) and returns the
//! report with the parser's findings; [`check`] adds the checker's findings, sorted by
//! position. The CLI's `check`, `parse`, `audit` and `aggregate`, and the web's upload page to
//! come, call these and nothing else:
//!
//! * PDF (`%PDF-`): the text layer through `pdftotext -layout` in a child process with a time
//!   limit and an output cap (`gongkai-pdf`), then the text front end;
//! * ZIP containers: DOCX and XLSX (`gongkai-office`, hard limits against hostile archives);
//! * everything else: the text and HTML front ends (`gongkai-parse`: encoding detection,
//!   crawler exports, reports inside script literals, all text shapes).
//!
//! Parsing never fails on content (a file that is not a report gives a report with findings,
//! or `unsupported` with the reason); the only error is a PDF whose text cannot be extracted.

use std::borrow::Cow;

use gongkai_model::Finding;
pub use gongkai_parse::Parsed;

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// pdftotext is missing, timed out, failed, or found no text layer.
    #[error("{0}")]
    Pdf(#[from] gongkai_pdf::PdfError),
}

impl IngestError {
    /// A stable code for programs and logs: the code of the reader that failed.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::Pdf(e) => e.code(),
        }
    }
}

/// A file read and checked.
#[derive(Debug)]
pub struct Checked {
    pub parsed: Parsed,
    /// Parser and checker findings, by position (parser findings first on ties); none from
    /// the checker when the input is `unsupported`. (`parsed.findings` is moved here: empty.)
    pub findings: Vec<Finding>,
}

/// Read any input into a report with the parser's findings. UTF-8 is validated once and
/// copied once into [`Parsed::text`] (see `gongkai_parse::encoding::decode`); a PDF's text
/// is moved in.
pub fn read<'a>(bytes: impl Into<Cow<'a, [u8]>>, name: Option<&str>) -> Result<Parsed, IngestError> {
    let bytes = bytes.into();
    if gongkai_parse::is_pdf(&bytes) {
        let text = gongkai_pdf::pdf_to_text(&bytes)?;
        return Ok(gongkai_parse::parse_pdf_text(text, bytes.len(), name));
    }
    // ZIP containers go to the office reader; everything else to the text/HTML front ends.
    Ok(gongkai_office::parse_bytes(bytes, name))
}

/// Read any input and check it. An input that is not an annual report at all (no standard
/// section and no statistics table: a text file named `.docx`, random bytes, a title and a
/// sentence) gets the error `P8` instead of the checker's findings, which would only list
/// everything as missing.
pub fn check<'a>(bytes: impl Into<Cow<'a, [u8]>>, name: Option<&str>) -> Result<Checked, IngestError> {
    let mut parsed = read(bytes, name)?;
    let mut findings = std::mem::take(&mut parsed.findings);
    if parsed.unsupported.is_none() {
        if gongkai_rules::is_not_a_report(&parsed.report) {
            findings.push(gongkai_rules::not_a_report());
        } else {
            findings.extend(gongkai_rules::check(&parsed.report));
        }
    }
    findings.sort_by_key(|f| f.location.map_or(u32::MAX, |l| l.start));
    Ok(Checked { parsed, findings })
}
