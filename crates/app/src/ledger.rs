//! The 台账 (ledger) use cases shared by the CLI's `gongkai ledger import|export` and the web's
//! upload, preview and download: file bytes → rows (XLSX through `gongkai-office`'s ledger
//! reader, CSV through the `csv` crate with the report reader's encoding detection), the
//! all-or-nothing check and import of an organ's rows, and the masked export as XLSX or CSV
//! bytes. The layout of the rows is `gongkai_register::ledger`; no IO happens here.

use std::borrow::Cow;
use std::collections::HashMap;

use gongkai_register::{AppId, OrganId, ledger};
use gongkai_store::{Entity, NewApplication, Personal};
use jiff::civil::Date;

use crate::{Action, App, AppError, Result};

pub use gongkai_office::xlsx_read::MAX_LEDGER_ROWS;

/// Largest ledger file read (bytes): room for [`MAX_LEDGER_ROWS`] rows of long text.
pub const MAX_LEDGER_FILE: u64 = 512 * 1024 * 1024;

/// The file format of a ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerFormat {
    Xlsx,
    Csv,
}

impl LedgerFormat {
    /// The format a file name's ending says (`.csv`; anything else is read as XLSX).
    pub fn of_name(name: &str) -> LedgerFormat {
        if name.to_lowercase().ends_with(".csv") { LedgerFormat::Csv } else { LedgerFormat::Xlsx }
    }

    /// The MIME type of a download.
    pub fn mime(self) -> &'static str {
        match self {
            LedgerFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            LedgerFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            LedgerFormat::Xlsx => "xlsx",
            LedgerFormat::Csv => "csv",
        }
    }
}

/// The rows of a ledger file, and what did not stop the reading (hidden sheets …).
#[derive(Debug, Clone, Default)]
pub struct LedgerSheet {
    pub rows: Vec<Vec<String>>,
    pub warnings: Vec<String>,
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell made inert: a cell beginning with `=`, `+`, `-`, `@`, TAB or CR gets a leading
/// single quote, which Excel and LibreOffice show as text and do not evaluate (OWASP). A cell
/// that itself begins with a quote gets one too, so that [`unneutralise`] restores every cell.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_START) || cell.starts_with('\'') {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of [`neutralise`] on import: a leading single quote before a formula character
/// (or before another quote) is the spreadsheet's text marker, not content (Excel drops it the
/// same way when a clerk types it).
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) || rest.starts_with('\'') => rest,
        _ => cell,
    }
}

/// Rows of cell text from the bytes of a ledger file called `name` (its ending decides the
/// format): the first visible sheet of an XLSX workbook, or a CSV file. Nothing is cut: a file
/// over the limits ([`MAX_LEDGER_ROWS`] data rows, [`MAX_LEDGER_FILE`] bytes) is refused whole
/// with the limit named. Errors name `name`.
pub fn read_rows(bytes: &[u8], name: &str) -> Result<LedgerSheet> {
    if bytes.len() as u64 > MAX_LEDGER_FILE {
        return Err(AppError::Invalid(format!(
            "“{name}”有{}MiB，超过台账导入上限{}MiB，未导入任何一行；请分成几个文件导入",
            bytes.len() >> 20,
            MAX_LEDGER_FILE >> 20
        )));
    }
    if LedgerFormat::of_name(name) == LedgerFormat::Csv {
        // Excel saves CSV in the ANSI code page (GBK on Chinese Windows): the same detection as
        // for reports (BOM, UTF-8, then sniffing); undecodable bytes are an error, not U+FFFD.
        let decoded = gongkai_parse::encoding::decode(bytes, false);
        if decoded.had_errors {
            return Err(AppError::Invalid(format!(
                "“{name}”的编码无法识别（识别为{}但含无效字节），请另存为 UTF-8 的 CSV",
                decoded.encoding
            )));
        }
        let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(decoded.text.as_bytes());
        let mut rows = Vec::new();
        for (i, rec) in rd.records().enumerate() {
            if i > MAX_LEDGER_ROWS {
                return Err(AppError::Invalid(format!(
                    "“{name}”超过台账导入上限{MAX_LEDGER_ROWS}行（不含表头），未导入任何一行；请分成几个文件导入"
                )));
            }
            let rec = rec.map_err(|e| AppError::Invalid(format!("“{name}”第{}行无法解析：{e}", i + 1)))?;
            // gongkai's own CSV export quotes formula-like cells ('=…); the quote is not data.
            rows.push(rec.iter().map(|c| unneutralise(c).to_string()).collect());
        }
        return Ok(LedgerSheet { rows, warnings: Vec::new() });
    }
    let sheet =
        gongkai_office::xlsx_read::xlsx_ledger_rows(bytes).map_err(|e| AppError::Invalid(format!("“{name}”：{e}")))?;
    if sheet.rows.is_empty() {
        return Err(AppError::Invalid(format!("“{name}”的第一个工作表是空的（第一行应为台账表头）")));
    }
    Ok(LedgerSheet { rows: sheet.rows, warnings: sheet.warnings })
}

/// The byte-order mark that CSV files written by gongkai begin with, so that Excel on Chinese
/// Windows reads them as UTF-8 rather than GBK (import accepts either).
pub const CSV_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The rows as file bytes: CSV (UTF-8 with a BOM, every formula-like cell neutralised, see
/// [`neutralise`]) or the typed XLSX ledger (`gongkai_office::ledger_xlsx`: dates as dates,
/// drop-down lists, never formulas) with the sheet named `sheet`.
pub fn write_rows(format: LedgerFormat, sheet: &str, rows: &[Vec<String>]) -> Result<Vec<u8>> {
    match format {
        LedgerFormat::Xlsx => Ok(gongkai_office::ledger_xlsx(sheet, rows)),
        LedgerFormat::Csv => {
            let mut w = csv::Writer::from_writer(CSV_BOM.to_vec());
            for r in rows {
                w.write_record(r.iter().map(|c| neutralise(c).into_owned()))
                    .map_err(|e| AppError::Invalid(format!("CSV 生成失败：{e}")))?;
            }
            w.into_inner().map_err(|e| AppError::Invalid(format!("CSV 生成失败：{e}")))
        }
    }
}

/// What checking or importing a ledger came to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum LedgerOutcome {
    /// Bad rows (each names its row, column and problem; personal values masked), sorted by
    /// row; nothing was written.
    Refused { errors: Vec<ledger::RowError> },
    /// Every row is valid (a dry run: nothing was written).
    Checked { rows: usize },
    /// Every row was written, in one transaction.
    Imported { ids: Vec<AppId> },
}

/// A masked (or, audited, unmasked) export of an organ's ledger.
#[derive(Debug, Clone)]
pub struct LedgerExport {
    /// The sheet's name, which says whether personal data is masked.
    pub sheet: &'static str,
    pub rows: Vec<Vec<String>>,
    /// Applications exported.
    pub count: usize,
    pub masked: bool,
}

impl App<'_> {
    /// Check the rows of a ledger for `organ` and, unless `dry_run`, import them all in one
    /// transaction, or none: every bad row (layout, values, dates after `today`, 受理编号
    /// already registered for the organ) is reported and nothing is written. Needs
    /// [`Action::Register`] on the organ.
    pub fn import_ledger(
        &mut self,
        organ: OrganId,
        rows: &[Vec<String>],
        today: Date,
        dry_run: bool,
    ) -> Result<LedgerOutcome> {
        self.use_case("import_ledger", |s| s.import_ledger_uc(organ, rows, today, dry_run))
    }

    fn import_ledger_uc(
        &mut self,
        organ: OrganId,
        rows: &[Vec<String>],
        today: Date,
        dry_run: bool,
    ) -> Result<LedgerOutcome> {
        self.authorize(Action::Register, Some(organ))?;
        let store = self.store();
        let mut errors = match ledger::read_as_of(rows, &store.calendar(), Some(today)) {
            Ok(valid) => {
                // 受理编号 already registered for this organ are errors of their rows too.
                let existing: HashMap<String, AppId> =
                    store.applications(&[organ], Personal::Masked)?.into_iter().map(|a| (a.serial, a.id)).collect();
                let clash: Vec<ledger::RowError> = valid
                    .iter()
                    .filter_map(|r| {
                        existing.get(&r.serial).map(|id| ledger::RowError {
                            line: r.line,
                            column: "受理编号".into(),
                            reason: format!("“{}”已登记（申请 {}）", r.serial, id.0),
                        })
                    })
                    .collect();
                if clash.is_empty() {
                    if dry_run {
                        return Ok(LedgerOutcome::Checked { rows: valid.len() });
                    }
                    let batch: Vec<NewApplication> = valid
                        .into_iter()
                        .map(|r| NewApplication {
                            organ,
                            serial: r.serial,
                            applicant: r.applicant,
                            description: r.description,
                            form: r.form,
                            events: r.events,
                        })
                        .collect();
                    let actor = self.principal().user.clone();
                    // One transaction: all rows or none.
                    let ids = self.store().import_applications(&batch, &actor)?;
                    return Ok(LedgerOutcome::Imported { ids });
                }
                clash
            }
            Err(e) => e,
        };
        errors.sort_by_key(|e| e.line);
        Ok(LedgerOutcome::Refused { errors })
    }

    /// The ledger rows of `organ`'s applications, personal data masked; with `unmask` (the
    /// purpose) unmasked, which needs [`Action::Unmask`] and is audited on the organ. Needs
    /// [`Action::Read`] on the organ.
    pub fn export_ledger(&mut self, organ: OrganId, unmask: Option<&str>) -> Result<LedgerExport> {
        self.use_case("export_ledger", |s| s.export_ledger_uc(organ, unmask))
    }

    fn export_ledger_uc(&mut self, organ: OrganId, unmask: Option<&str>) -> Result<LedgerExport> {
        self.authorize(Action::Read, Some(organ))?;
        let personal = self.personal(unmask, organ, Entity::Organ, &organ.0.to_string())?;
        let store = self.store();
        let summaries = store.applications(&[organ], Personal::Masked)?;
        let mut apps = Vec::with_capacity(summaries.len());
        for s in summaries {
            apps.push(store.application(s.id, personal)?);
        }
        let masked = personal == Personal::Masked;
        // The store already masked what must be masked; the writer must not mask again, but
        // marks every row (and names the sheet) so that the file says what it holds.
        let sheet = if masked { "台账（个人信息已隐去）" } else { "台账（含个人信息）" };
        Ok(LedgerExport { sheet, rows: ledger::write_as(&apps, false, masked), count: apps.len(), masked })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralise_round_trips_and_defuses_formulas() {
        for cell in ["=1+1", "+86", "-3", "@x", "\tx", "'quoted", "''", "plain", "", "张三"] {
            let n = neutralise(cell);
            assert!(!n.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} stays a formula: {n:?}");
            assert_eq!(unneutralise(&n), cell);
        }
    }

    #[test]
    fn csv_rows_round_trip_through_the_writer_and_reader() {
        let rows = vec![vec!["受理编号".to_string(), "申请内容".into()], vec!["=A1".into(), "含,逗号\"引号\"".into()]];
        let bytes = write_rows(LedgerFormat::Csv, "台账", &rows).unwrap();
        assert_eq!(read_rows(&bytes, "x.csv").unwrap().rows, rows);
    }

    #[test]
    fn garbage_is_refused_in_chinese_naming_the_file() {
        let e = read_rows(b"not a zip", "台账.xlsx").unwrap_err().to_string();
        assert!(e.contains("“台账.xlsx”"), "{e}");
    }
}
