//! Auditing a folder of reports (`gongkai audit PATH... --out FILE.{csv,json,html}`): a
//! long-format dataset of every table cell (CSV), a JSON dump, or an audit page in Chinese,
//! streamed to the writer batch by batch, with the checks between reports.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Context, Result, bail};
use gongkai_model::{Cell, CellValue, Finding, Report, Severity};
use serde::Serialize;

use super::check::check_read;
use super::files::Input;
use super::{Keys, html};
use crate::ledger::neutralise;

#[derive(Serialize)]
struct CellRow {
    table: &'static str,
    row: String,
    col: String,
    state: &'static str,
    value: Option<String>,
    raw: String,
    line: Option<u32>,
    column: Option<u32>,
}

/// One report audited: what it is (organ, year, format, where they come from), its findings
/// and its table cells.
#[derive(Serialize)]
struct Audited {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    organ: Option<String>,
    /// The supervising organ, from the manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    year: Option<i32>,
    /// Where organ and year come from: `report` (read from the report itself) or `manifest`.
    origin: &'static str,
    format: Option<gongkai_model::FormatVersion>,
    findings: Vec<Finding>,
    cells: Vec<CellRow>,
}

fn state(c: &Cell) -> &'static str {
    match c.value {
        CellValue::Number(_) => "number",
        CellValue::Blank => "blank",
        CellValue::Placeholder => "placeholder",
        CellValue::Unreadable => "unreadable",
        CellValue::Ambiguous(_) => "ambiguous",
    }
}

fn cells(r: &Report) -> Vec<CellRow> {
    let mut out = Vec::new();
    let mut push = |table: &'static str, row: String, col: String, c: &Cell| {
        out.push(CellRow {
            table,
            row,
            col,
            state: state(c),
            value: c.as_number().map(|d| d.to_string()),
            raw: c.raw.to_string(),
            line: c.src.map(|s| s.line),
            column: c.src.map(|s| s.col),
        });
    };
    for (row, m) in &r.table2 {
        for (col, c) in m {
            push("table2", row.id().into(), col.id().into(), c);
        }
    }
    for (row, m) in &r.table3 {
        for (col, c) in m {
            push("table3", row.id().into(), col.id().into(), c);
        }
    }
    for (g, m) in &r.table4 {
        for (o, c) in m {
            push("table4", g.id().into(), o.id().into(), c);
        }
    }
    out
}

/// One report audited: the record, whether it failed (unreadable, or not a report), and what
/// the cross-report checks need.
fn audit_one(input: &Input, manifest: &Manifest) -> (Audited, bool, Keys) {
    let file = input.name();
    let row = manifest.get(input);
    let failed = |error: String| Audited {
        file: file.clone(),
        error: Some(error),
        organ: row.and_then(|r| r.organ.clone()),
        parent: row.and_then(|r| r.parent.clone()),
        year: row.and_then(|r| r.year),
        origin: if row.is_some() { "manifest" } else { "report" },
        format: None,
        findings: Vec::new(),
        cells: Vec::new(),
    };
    match check_read(input) {
        Ok((p, findings, digest)) if p.unsupported.is_none() => {
            let mut report = p.report;
            // The manifest overrides what the report says about itself (SPEC §1.8: many reports
            // name their organ only in the title, some not at all).
            if let Some(r) = row {
                if let Some(o) = &r.organ {
                    let src = report.organ.as_ref().map(|l| l.src).unwrap_or_default();
                    report.organ = Some(gongkai_model::report::Located { value: o.clone(), src });
                }
                if let Some(y) = r.year {
                    let src = report.year.as_ref().map(|l| l.src).unwrap_or_default();
                    report.year = Some(gongkai_model::report::Located { value: y, src });
                }
            }
            let not_report = super::check::not_a_report(&findings);
            let keys =
                if not_report { Keys { digest: Some(digest), ..Keys::default() } } else { Keys::of(&report, digest) };
            let audited = Audited {
                file,
                error: None,
                organ: report.organ.as_ref().map(|o| o.value.clone()),
                parent: row.and_then(|r| r.parent.clone()),
                year: report.year.as_ref().map(|y| y.value),
                origin: if row.is_some_and(|r| r.organ.is_some() || r.year.is_some()) { "manifest" } else { "report" },
                format: Some(report.format),
                cells: cells(&report),
                findings,
            };
            (audited, not_report, keys)
        }
        Ok((p, _, _)) => (failed(p.unsupported.unwrap_or_default()), true, Keys::default()),
        Err(e) => (failed(format!("{e:#}")), true, Keys::default()),
    }
}

/// One manifest row: organ, parent organ and year of a file.
#[derive(Debug, Clone, Default)]
struct ManifestRow {
    organ: Option<String>,
    parent: Option<String>,
    year: Option<i32>,
}

/// The manifest CSV (`file,organ,parent,year`; only `file` is required): organ and year
/// override what the reports say, `parent` supplies the hierarchy. Files are matched by path
/// (relative paths are relative to the manifest's folder), or by file name when that name
/// occurs once in the manifest.
#[derive(Debug, Default)]
pub struct Manifest {
    by_path: std::collections::HashMap<std::path::PathBuf, ManifestRow>,
    by_name: std::collections::HashMap<String, Option<ManifestRow>>,
}

impl Manifest {
    pub fn read(path: &str) -> Result<Manifest> {
        let mut rd = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_path(path)
            .with_context(|| format!("无法读取清单文件“{path}”"))?;
        let headers = rd.headers().with_context(|| format!("清单文件“{path}”没有表头行"))?.clone();
        let col = |names: &[&str]| {
            headers.iter().position(|h| names.iter().any(|n| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(n)))
        };
        let Some(file_col) = col(&["file", "文件"]) else {
            bail!("清单文件“{path}”的表头缺少 file 列（应为 file,organ,parent,year）");
        };
        let (organ_col, parent_col, year_col) =
            (col(&["organ", "机关"]), col(&["parent", "parent_organ", "上级机关"]), col(&["year", "年度"]));
        let base = std::path::Path::new(path).parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        let mut m = Manifest::default();
        for (k, rec) in rd.records().enumerate() {
            let line = k + 2;
            let rec = rec.with_context(|| format!("清单文件“{path}”第{line}行无法解析"))?;
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).filter(|v| !v.is_empty()).map(str::to_string);
            let Some(file) = get(Some(file_col)) else {
                bail!("清单文件“{path}”第{line}行缺少文件名");
            };
            let year = match get(year_col) {
                None => None,
                Some(y) => match y.trim_end_matches('年').parse::<i32>() {
                    Ok(v) if (1990..=2100).contains(&v) => Some(v),
                    _ => bail!("清单文件“{path}”第{line}行的年度“{y}”不是有效年份"),
                },
            };
            let row = ManifestRow { organ: get(organ_col), parent: get(parent_col), year };
            let p = std::path::Path::new(&file);
            let full = if p.is_absolute() { p.to_path_buf() } else { base.join(p) };
            let full = full.canonicalize().unwrap_or(full);
            if let Some(name) = full.file_name().map(|n| n.to_string_lossy().into_owned()) {
                // A name listed twice is ambiguous: it no longer matches by name alone.
                m.by_name.entry(name).and_modify(|e| *e = None).or_insert_with(|| Some(row.clone()));
            }
            m.by_path.insert(full, row);
        }
        Ok(m)
    }

    fn get(&self, input: &Input) -> Option<&ManifestRow> {
        let Input::File(p) = input else { return None };
        let full = p.canonicalize().unwrap_or_else(|_| p.clone());
        self.by_path.get(&full).or_else(|| {
            let name = full.file_name()?.to_string_lossy().into_owned();
            self.by_name.get(&name)?.as_ref()
        })
    }

    /// Rows in the manifest.
    pub fn len(&self) -> usize {
        self.by_path.len()
    }

    /// Whether the manifest has no rows (none was given).
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }
}

/// The CSV rows of one report, through the `csv` writer (quoting) with the free-text cells
/// (file name, organ, the cell's printed text) neutralised against formula injection; the
/// numeric columns are written by gongkai from numbers and stay numbers.
fn csv_rows(a: &Audited, s: &mut String) {
    let fmt = a
        .format
        .and_then(|f| serde_json::to_value(f).ok())
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    for c in &a.cells {
        let record = [
            neutralise(&a.file).into_owned(),
            neutralise(a.organ.as_deref().unwrap_or("")).into_owned(),
            a.year.map_or(String::new(), |y| y.to_string()),
            fmt.clone(),
            c.table.to_string(),
            c.row.to_string(),
            c.col.to_string(),
            c.state.to_string(),
            c.value.clone().unwrap_or_default(),
            neutralise(&c.raw).into_owned(),
            c.line.map_or(String::new(), |v| v.to_string()),
            c.column.map_or(String::new(), |v| v.to_string()),
        ];
        // Writing into a Vec cannot fail.
        let _ = w.write_record(&record);
    }
    if let Ok(bytes) = w.into_inner() {
        s.push_str(&String::from_utf8_lossy(&bytes));
    }
}

/// The output format of an audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditFormat {
    /// One row per table cell (UTF-8 with a BOM, for Excel).
    Csv,
    /// `{"reports": [...], "cross_report": [...]}`.
    Json,
    /// The audit page in Chinese: counts by rule and by organ, then each report's problems.
    Html,
}

impl AuditFormat {
    /// The format named by an output file's extension (`.csv`, `.json`, `.html`).
    pub fn of_path(out: &str) -> Option<AuditFormat> {
        if out.ends_with(".csv") {
            Some(AuditFormat::Csv)
        } else if out.ends_with(".json") {
            Some(AuditFormat::Json)
        } else if out.ends_with(".html") {
            Some(AuditFormat::Html)
        } else {
            None
        }
    }
}

/// A batch to audit.
#[derive(Debug)]
pub struct AuditCommand<'a> {
    pub inputs: &'a [Input],
    pub format: AuditFormat,
    pub manifest: &'a Manifest,
    /// The output's name, for messages.
    pub out_name: &'a str,
}

/// What an audit found.
#[derive(Debug, Default)]
pub struct AuditSummary {
    pub reports: usize,
    /// Reports with at least one error.
    pub with_errors: usize,
    /// Files that could not be read or are not reports.
    pub failed: usize,
    pub errors: usize,
    /// The findings between reports, counted by rule.
    pub cross_by_rule: BTreeMap<String, usize>,
}

impl AuditSummary {
    /// The same rule as `check`: 2 when something could not be read (`lost`: a folder or link
    /// of the inputs), 1 when errors were found, else 0.
    pub fn exit_code(&self, lost: bool) -> u8 {
        super::exit_code(self.reports, self.failed, lost, self.errors)
    }
}

/// Audit a batch into `out`, batch by batch in input order: CSV rows and JSON records as each
/// batch completes; the HTML page's report rows go to an unnamed temporary file while the
/// batches run and are copied into the page, with the findings between reports added, after
/// its summary tables (so the page never holds more than one report in memory). `progress` is
/// called on a worker thread after each file.
pub fn audit<W: Write + Send + 'static>(
    cmd: &AuditCommand,
    progress: &(dyn Fn() + Sync),
    out: W,
) -> Result<AuditSummary> {
    let kind = cmd.format;
    let out_name = cmd.out_name;
    let write_err = || format!("无法写入“{out_name}”");
    let mut sum = AuditSummary::default();
    let mut head = match kind {
        AuditFormat::Csv => "file,organ,year,format,table,row,col,state,value,raw,line,column\n",
        AuditFormat::Json => "{\"reports\": [\n",
        AuditFormat::Html => "",
    }
    .as_bytes()
    .to_vec();
    if kind == AuditFormat::Csv {
        // UTF-8 with a BOM, so that Excel on Chinese Windows reads it right.
        head.splice(0..0, crate::ledger::CSV_BOM.iter().copied());
    }
    // The page's rows wait in a private temporary file; CSV and JSON go straight to `out`.
    let (tx, target, mut page) = if kind == AuditFormat::Html {
        let rows = tempfile::tempfile().context("无法创建审计页面所需的临时文件")?;
        let (tx, w) = super::writer_thread(std::io::BufWriter::new(rows));
        (tx, Target::Page(w, out), Some(html::Page::default()))
    } else {
        let (tx, w) = super::writer_thread(out);
        (tx, Target::Direct(w), None)
    };
    let mut sent_ok = true;
    let work = |i: &Input| {
        let (mut a, failed, keys) = audit_one(i, cmd.manifest);
        // Formatted on the workers; written by the writer thread while the next batch runs.
        let mut s = String::new();
        match kind {
            AuditFormat::Csv => csv_rows(&a, &mut s),
            AuditFormat::Json => s = serde_json::to_string(&a).unwrap_or_default(),
            AuditFormat::Html => {
                a.cells = Vec::new();
                s = html::Row::line(&a.file, a.error.as_deref(), a.organ.as_deref(), a.year, &a.findings);
            }
        }
        progress();
        ((a, failed, s.into_bytes()), keys)
    };
    let spill = super::stream(cmd.inputs, work, |done: Vec<(Audited, bool, Vec<u8>)>| {
        let mut chunk = std::mem::take(&mut head);
        for (a, bad, s) in done {
            let e = a.findings.iter().filter(|f| f.severity == Severity::Error).count();
            sum.errors += e;
            sum.with_errors += usize::from(e > 0);
            sum.failed += usize::from(bad);
            if kind == AuditFormat::Json {
                chunk.extend_from_slice(if sum.reports == 0 { b"" } else { b"," });
                chunk.extend_from_slice(&s);
                chunk.push(b'\n');
            } else {
                chunk.extend_from_slice(&s);
            }
            if let Some(p) = &mut page {
                p.count(a.organ.as_deref(), a.parent.as_deref(), &a.findings);
            }
            sum.reports += 1;
        }
        sent_ok = tx.send(chunk).is_ok();
        Ok(sent_ok)
    })?;
    if sent_ok && !head.is_empty() {
        let _ = tx.send(head);
    }
    drop(tx);
    // Checks between reports (E5, E6 across consecutive years of one organ; D15 copied text
    // and tables copied from the previous year; B1/B2 the same file or report twice).
    let names = |i: usize| cmd.inputs[i].name();
    match target {
        Target::Direct(writer) => {
            let mut w = super::join_writer(writer)?.with_context(write_err)?;
            let cross = spill.finish(names)?;
            if kind == AuditFormat::Json {
                writeln!(w, "], \"cross_report\": [")?;
                for (k, (i, f)) in cross.iter().enumerate() {
                    let sep = if k + 1 < cross.len() { "," } else { "" };
                    writeln!(w, "{}{sep}", serde_json::json!({ "file": names(*i), "finding": f }))?;
                }
                writeln!(w, "]}}")?;
            }
            w.flush().with_context(write_err)?;
            sum.count_cross(&cross);
        }
        Target::Page(rows, out) => {
            let rows = super::join_writer(rows)?.context("无法写入审计页面所需的临时文件")?;
            let rows = rows.into_inner().map_err(|e| e.into_error()).context("无法写入审计页面所需的临时文件")?;
            let cross = spill.finish(names)?;
            let mut w = std::io::BufWriter::new(out);
            page.unwrap_or_default().write(rows, &cross, &mut w).with_context(write_err)?;
            w.flush().with_context(write_err)?;
            sum.count_cross(&cross);
        }
    }
    Ok(sum)
}

/// Where the writer thread writes: the output itself, or the page's rows until the page is
/// written to the output.
enum Target<W> {
    Direct(std::thread::JoinHandle<std::io::Result<W>>),
    Page(std::thread::JoinHandle<std::io::Result<std::io::BufWriter<std::fs::File>>>, W),
}

impl AuditSummary {
    fn count_cross(&mut self, cross: &[(usize, Finding)]) {
        for (_, f) in cross {
            *self.cross_by_rule.entry(f.rule.clone()).or_default() += 1;
        }
    }
}
