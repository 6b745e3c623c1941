//! DOCX and XLSX for annual reports: readers that turn Word and Excel files into the
//! parser's document blocks (so the shared interpreter finds sections, tables and format),
//! writers in the official layout (GB/T 9704 conventions for DOCX, SPEC §7.4; the
//! template's merged header cells and live 总计 formulas for XLSX), and hard limits for
//! hostile files.
//!
//! Only in-memory byte IO: bytes in, values out; no file system, no processes.
//!
//! This crate sits on top of `gongkai-parse` (it calls [`gongkai_parse::interpret`]), so the
//! dispatch for ZIP containers lives here: [`parse_bytes`] reads DOCX/XLSX itself and hands
//! every other input to [`gongkai_parse::parse_bytes`].

mod archive;
pub mod docx_read;
pub mod docx_write;
pub mod flat;
pub mod layout;
pub mod ledger_write;
pub mod numbering;
pub mod xlsx_read;
pub mod xlsx_write;
pub(crate) mod xml;

pub use archive::{MAX_ENTRIES, MAX_ENTRY, MAX_TOTAL};
pub use docx_write::{docx, docx_letter};
pub use flat::a1;
pub use ledger_write::{ledger_template, ledger_xlsx};
pub use xlsx_write::{xlsx, xlsx_rows};
pub use xml::MAX_DEPTH;

use gongkai_model::{Finding, Severity};
use gongkai_parse::{MAX_INPUT, Parsed};

/// Why a DOCX or XLSX file could not be read. Messages are in Chinese and name the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficeError {
    /// Larger than [`gongkai_parse::MAX_INPUT`].
    TooLarge(usize),
    /// The ZIP structure (central directory) cannot be read.
    BrokenZip(String),
    /// One entry cannot be decompressed.
    BrokenEntry(String, String),
    TooManyEntries(usize),
    /// An entry decompresses to more than [`MAX_ENTRY`] bytes.
    EntryTooLarge(String, u64),
    /// The entries read decompress to more than [`MAX_TOTAL`] bytes in total.
    ArchiveTooLarge(u64),
    /// A required part is missing.
    MissingPart(&'static str),
    /// The ZIP is not a Word or Excel document.
    NotADocx(String),
    /// A part has a DOCTYPE declaration (refused: entity definitions are never expanded).
    DocType(&'static str),
    /// Elements nested deeper than [`MAX_DEPTH`].
    TooDeep(&'static str, usize),
    /// Malformed XML, wrong encoding, undefined entity.
    Xml(&'static str, String),
    /// A ledger sheet beyond the ledger reader's explicit limits (sheet, what, limit).
    LedgerTooLarge(String, &'static str, usize),
    /// A ledger cell whose value cannot be read (sheet, A1 reference, why).
    LedgerCell(String, String, &'static str),
}

impl std::fmt::Display for OfficeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OfficeError::TooLarge(n) => {
                write!(f, "文件过大（超过{}字节），DOCX/XLSX 不能截断读取，已拒绝", n)
            }
            OfficeError::BrokenZip(e) => write!(f, "ZIP结构损坏，无法读取（{e}）"),
            OfficeError::BrokenEntry(name, e) => write!(f, "ZIP中的“{name}”无法解压（{e}）"),
            OfficeError::TooManyEntries(n) => write!(f, "ZIP中的文件过多（{n}个），已拒绝"),
            OfficeError::EntryTooLarge(name, cap) => {
                write!(f, "ZIP中的“{name}”解压后超过{}MiB，疑似压缩炸弹，已拒绝", cap >> 20)
            }
            OfficeError::ArchiveTooLarge(cap) => {
                write!(f, "ZIP解压后的总大小超过{}MiB，疑似压缩炸弹，已拒绝", cap >> 20)
            }
            OfficeError::MissingPart(p) => write!(f, "文件缺少“{p}”，不是完整的Word/Excel文档"),
            OfficeError::NotADocx(why) => write!(f, "不是可读取的Word（DOCX）或Excel（XLSX）文档：{why}"),
            OfficeError::DocType(p) => {
                write!(f, "“{p}”含有DOCTYPE声明（可能用于实体膨胀攻击），Office文档不应含有，已拒绝")
            }
            OfficeError::TooDeep(p, n) => write!(f, "“{p}”的XML嵌套超过{n}层，已拒绝"),
            OfficeError::Xml(p, why) => write!(f, "“{p}”{why}"),
            OfficeError::LedgerCell(sheet, cell, why) => {
                write!(f, "工作表“{sheet}”的单元格{cell}{why}，未导入任何一行")
            }
            OfficeError::LedgerTooLarge(sheet, what, max) => {
                write!(f, "工作表“{sheet}”的{what}超过台账导入上限{max}，未导入任何一行；请分成几个文件导入")
            }
        }
    }
}

impl std::error::Error for OfficeError {}

impl OfficeError {
    /// A stable code for programs and logs (never changes with the wording).
    pub fn code(&self) -> &'static str {
        match self {
            OfficeError::TooLarge(_) => "office.too_large",
            OfficeError::BrokenZip(_) => "office.broken_zip",
            OfficeError::BrokenEntry(..) => "office.broken_entry",
            OfficeError::TooManyEntries(_) => "office.too_many_entries",
            OfficeError::EntryTooLarge(..) => "office.entry_too_large",
            OfficeError::ArchiveTooLarge(_) => "office.archive_too_large",
            OfficeError::MissingPart(_) => "office.missing_part",
            OfficeError::NotADocx(_) => "office.not_a_document",
            OfficeError::DocType(_) => "office.doctype",
            OfficeError::TooDeep(..) => "office.too_deep",
            OfficeError::Xml(..) => "office.xml",
            OfficeError::LedgerTooLarge(..) => "office.ledger_too_large",
            OfficeError::LedgerCell(..) => "office.ledger_cell",
        }
    }
}

#[cfg(test)]
mod code_tests {
    use super::OfficeError as E;

    #[test]
    fn error_codes_are_stable_and_unique() {
        let s = String::new;
        let codes: Vec<&str> = [
            E::TooLarge(0),
            E::BrokenZip(s()),
            E::BrokenEntry(s(), s()),
            E::TooManyEntries(0),
            E::EntryTooLarge(s(), 0),
            E::ArchiveTooLarge(0),
            E::MissingPart(""),
            E::NotADocx(s()),
            E::DocType(""),
            E::TooDeep("", 0),
            E::Xml("", s()),
            E::LedgerTooLarge(s(), "", 0),
            E::LedgerCell(s(), s(), ""),
        ]
        .iter()
        .map(E::code)
        .collect();
        assert_eq!(
            codes,
            [
                "office.too_large",
                "office.broken_zip",
                "office.broken_entry",
                "office.too_many_entries",
                "office.entry_too_large",
                "office.archive_too_large",
                "office.missing_part",
                "office.not_a_document",
                "office.doctype",
                "office.too_deep",
                "office.xml",
                "office.ledger_too_large",
                "office.ledger_cell",
            ]
        );
    }
}

/// Container kinds this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeKind {
    Docx,
    Xlsx,
}

/// One part of a DOCX/XLSX file, decompressed within the archive limits (`None` when the
/// archive has no such part).
pub fn read_part(bytes: &[u8], name: &str) -> Result<Option<Vec<u8>>, OfficeError> {
    if bytes.len() > MAX_INPUT {
        return Err(OfficeError::TooLarge(MAX_INPUT));
    }
    archive::Archive::open(bytes)?.read(name)
}

/// Whether the bytes start like a ZIP archive (local file header or empty archive).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// What a ZIP holds: DOCX (`word/document.xml`) or XLSX (`xl/workbook.xml`).
pub fn sniff(bytes: &[u8]) -> Result<OfficeKind, OfficeError> {
    if bytes.len() > MAX_INPUT {
        return Err(OfficeError::TooLarge(MAX_INPUT));
    }
    let ar = archive::Archive::open(bytes)?;
    if ar.contains("word/document.xml") {
        Ok(OfficeKind::Docx)
    } else if ar.contains("xl/workbook.xml") {
        Ok(OfficeKind::Xlsx)
    } else {
        Err(OfficeError::NotADocx("ZIP中既没有 word/document.xml，也没有 xl/workbook.xml".to_string()))
    }
}

/// `dc:title` of `docProps/core.xml`, the title Word and Excel show in the file properties.
fn core_title(ar: &mut archive::Archive) -> Result<Option<String>, OfficeError> {
    let Some(xml) = ar.read("docProps/core.xml")? else { return Ok(None) };
    let mut x = xml::Xml::new(&xml, "docProps/core.xml")?;
    let mut title: Option<String> = None;
    let mut inside = false;
    loop {
        match x.next()? {
            xml::Ev::Eof => break,
            xml::Ev::Start { tag: xml::Tag::Title, empty: false, .. } => inside = true,
            xml::Ev::End { tag: xml::Tag::Title, .. } => inside = false,
            xml::Ev::Text(t) if inside => title.get_or_insert_with(String::new).push_str(&t),
            _ => {}
        }
    }
    Ok(title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty() && t.chars().count() <= 200))
}

/// The container's title as the document's title hint (used only when the body has none).
fn title_hint(title: Option<String>) -> Option<gongkai_model::Para> {
    title.map(|text| gongkai_model::Para { text, src: gongkai_model::Src::default(), verbatim: false })
}

fn finish(
    doc: gongkai_model::doc::Doc,
    text: String,
    warnings: Vec<String>,
    kind: &str,
    bytes: usize,
    name: Option<&str>,
) -> Parsed {
    let mut findings: Vec<Finding> = warnings.into_iter().map(|w| Finding::new("P6", Severity::Warning, w)).collect();
    let mut report = gongkai_parse::interpret::interpret(doc, &mut findings);
    report.source.kind = kind.to_string();
    report.source.encoding = "UTF-8".to_string();
    report.source.bytes = bytes as u64;
    report.source.name = name.map(str::to_string);
    Parsed { report, findings, text, unsupported: None }
}

/// Parse a DOCX file. Provenance points into `Parsed::text`, the flattened document (one
/// line per paragraph or table row, see [`flat`]).
pub fn parse_docx(bytes: &[u8], name: Option<&str>) -> Result<Parsed, OfficeError> {
    if bytes.len() > MAX_INPUT {
        return Err(OfficeError::TooLarge(MAX_INPUT));
    }
    let mut ar = archive::Archive::open(bytes)?;
    let xml = ar.read("word/document.xml")?.ok_or(OfficeError::MissingPart("word/document.xml"))?;
    // Automatic list numbers live in numbering.xml (and on paragraph styles).
    let numbering = ar.read("word/numbering.xml")?;
    let styles = if numbering.is_some() { ar.read("word/styles.xml")? } else { None };
    let mut numbering = numbering::Numbering::read(numbering.as_deref(), styles.as_deref())?;
    let mut d = docx_read::document_to_doc_with(&xml, &mut numbering)?;
    // A broken properties part does not make the document unreadable.
    d.doc.title_hint = title_hint(core_title(&mut ar).ok().flatten());
    Ok(finish(d.doc, d.text, d.warnings, "docx", bytes.len(), name))
}

/// Parse an XLSX file: one grid per sheet in workbook order; `Src::grid` holds the sheet
/// number and the cell's row and column ([`a1`] gives its A1 reference).
pub fn parse_xlsx(bytes: &[u8], name: Option<&str>) -> Result<Parsed, OfficeError> {
    if bytes.len() > MAX_INPUT {
        return Err(OfficeError::TooLarge(MAX_INPUT));
    }
    let mut ar = archive::Archive::open(bytes)?;
    let mut d = xlsx_read::workbook_to_doc(&mut ar)?;
    d.doc.title_hint = title_hint(core_title(&mut ar).ok().flatten());
    Ok(finish(d.doc, d.text, d.warnings, "xlsx", bytes.len(), name))
}

/// Parse a DOCX or XLSX file, whichever it is.
pub fn parse_office(bytes: &[u8], name: Option<&str>) -> Result<Parsed, OfficeError> {
    match sniff(bytes)? {
        OfficeKind::Docx => parse_docx(bytes, name),
        OfficeKind::Xlsx => parse_xlsx(bytes, name),
    }
}

/// Parse any input: ZIP containers (DOCX/XLSX) here, everything else through
/// [`gongkai_parse::parse_bytes`] (bytes handed over as a `Vec<u8>` go on as they are).
/// A container that cannot be read gives an empty report with `unsupported` saying why
/// (never a panic).
pub fn parse_bytes<'a>(bytes: impl Into<std::borrow::Cow<'a, [u8]>>, name: Option<&str>) -> Parsed {
    let bytes = bytes.into();
    if !is_zip(&bytes) {
        return gongkai_parse::parse_bytes(bytes, name);
    }
    match parse_office(&bytes, name) {
        Ok(p) => p,
        Err(e) => {
            let mut report = gongkai_model::Report::empty();
            report.source.name = name.map(str::to_string);
            report.source.bytes = bytes.len() as u64;
            Parsed { report, findings: Vec::new(), text: String::new(), unsupported: Some(e.to_string()) }
        }
    }
}
