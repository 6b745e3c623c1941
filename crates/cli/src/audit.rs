//! `gongkai audit PATH... --out FILE.{csv,json,html}`: a folder of reports to a long-format
//! dataset (CSV), a JSON dump, or an audit page in Chinese.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use gongkai_model::{Cell, CellValue, Finding, Report, Severity};
use rayon::prelude::*;
use serde::Serialize;

use crate::check::check_read;
use crate::files::{self, Input};
use crate::safe;

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

/// What the cross-report checks need of one report: tables, organ and year, text signature,
/// digest of the file's bytes.
type Slim = (Option<gongkai_rules::cross::YearSummary>, Option<gongkai_rules::similarity::Signature>, Option<u128>);

/// One report audited: the record, whether it failed (unreadable, or not a report), and what
/// the cross-report checks need.
fn audit_one(input: &Input, manifest: &Manifest) -> (Audited, bool, Slim) {
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
            let not_report = crate::check::not_a_report(&findings);
            let slim = if not_report {
                (None, None, Some(digest))
            } else {
                (
                    Some(gongkai_rules::cross::YearSummary::of(&report)),
                    gongkai_rules::similarity::signature(&report),
                    Some(digest),
                )
            };
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
            (audited, not_report, slim)
        }
        Ok((p, _, _)) => (failed(p.unsupported.unwrap_or_default()), true, (None, None, None)),
        Err(e) => (failed(format!("{e:#}")), true, (None, None, None)),
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

    pub fn len(&self) -> usize {
        self.by_path.len()
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
            safe::neutralise(&a.file).into_owned(),
            safe::neutralise(a.organ.as_deref().unwrap_or("")).into_owned(),
            a.year.map_or(String::new(), |y| y.to_string()),
            fmt.clone(),
            c.table.to_string(),
            c.row.to_string(),
            c.col.to_string(),
            c.state.to_string(),
            c.value.clone().unwrap_or_default(),
            safe::neutralise(&c.raw).into_owned(),
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

pub fn run(paths: &[String], out: &str, manifest: Option<&str>) -> Result<u8> {
    use std::io::Write;
    #[derive(Clone, Copy)]
    enum Kind {
        Csv,
        Json,
        Html,
    }
    let kind = if out.ends_with(".csv") {
        Kind::Csv
    } else if out.ends_with(".json") {
        Kind::Json
    } else if out.ends_with(".html") {
        Kind::Html
    } else {
        bail!("--out 应以 .csv、.json 或 .html 结尾");
    };
    let manifest = match manifest {
        Some(p) => Manifest::read(p)?,
        None => Manifest::default(),
    };
    let (inputs, skipped) = files::collect(paths)?;
    let lost = files::report_skipped(&skipped);
    let file = crate::safe::create_private(std::path::Path::new(out)).with_context(|| format!("无法写入“{out}”"))?;
    let (tx, writer) = crate::check::writer_thread(std::io::BufWriter::with_capacity(1 << 16, file));
    let bar = crate::check::progress_bar(true, inputs.len());
    // The HTML page needs every report's findings (not its cells) before it can be written.
    let mut kept: Vec<Audited> = Vec::new();
    let (mut reports, mut with_errors, mut errors, mut failed) = (0usize, 0usize, 0usize, 0usize);
    let mut head = match kind {
        Kind::Csv => "file,organ,year,format,table,row,col,state,value,raw,line,column\n",
        Kind::Json => "{\"reports\": [\n",
        Kind::Html => "",
    }
    .as_bytes()
    .to_vec();
    if let Kind::Csv = kind {
        // UTF-8 with a BOM, so that Excel on Chinese Windows reads it right.
        head.splice(0..0, crate::safe::CSV_BOM.iter().copied());
    }
    // Per report, only what the cross-report checks need is kept across batches, and that in a
    // spill file (no prose, no cells in memory).
    let mut cross = crate::spill::Cross::new()?;
    let mut writer_failed = false;
    for batch in inputs.chunks(crate::check::BATCH) {
        // Formatted on the workers; written by the writer thread while the next batch runs.
        let done: Vec<(Audited, bool, Slim, Vec<u8>)> = batch
            .par_iter()
            .map(|i| {
                let (mut a, failed, slim) = audit_one(i, &manifest);
                let mut s = String::new();
                match kind {
                    Kind::Csv => csv_rows(&a, &mut s),
                    Kind::Json => s = serde_json::to_string(&a).unwrap_or_default(),
                    Kind::Html => a.cells = Vec::new(),
                }
                if let Some(b) = &bar {
                    b.inc(1);
                }
                (a, failed, slim, s.into_bytes())
            })
            .collect();
        let mut chunk = std::mem::take(&mut head);
        for (a, bad, (summary, sig, digest), s) in done {
            cross.push(summary.as_ref(), sig.as_ref(), digest)?;
            let e = a.findings.iter().filter(|f| f.severity == Severity::Error).count();
            errors += e;
            with_errors += usize::from(e > 0);
            failed += usize::from(bad);
            if let Kind::Json = kind {
                chunk.extend_from_slice(if reports == 0 { b"" } else { b"," });
                chunk.extend_from_slice(&s);
                chunk.push(b'\n');
            } else {
                chunk.extend_from_slice(&s);
            }
            reports += 1;
            if let Kind::Html = kind {
                kept.push(a);
            }
        }
        if tx.send(chunk).is_err() {
            writer_failed = true;
            break;
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if !writer_failed && !head.is_empty() {
        let _ = tx.send(head);
    }
    drop(tx);
    let mut w =
        writer.join().map_err(|_| anyhow::anyhow!("输出线程异常结束"))?.with_context(|| format!("无法写入“{out}”"))?;
    // Checks between reports (E5, E6 across consecutive years of one organ; D15 copied text
    // and tables copied from the previous year; B1/B2 the same file or report twice).
    let names = |i: usize| inputs[i].name();
    let cross = cross.finish(names)?;
    match kind {
        Kind::Json => {
            writeln!(w, "], \"cross_report\": [")?;
            for (k, (i, f)) in cross.iter().enumerate() {
                let sep = if k + 1 < cross.len() { "," } else { "" };
                writeln!(w, "{}{sep}", serde_json::json!({ "file": names(*i), "finding": f }))?;
            }
            writeln!(w, "]}}")?;
        }
        Kind::Html => {
            for (i, f) in &cross {
                kept[*i].findings.push(f.clone());
            }
            w.write_all(page(&kept).as_bytes())?
        }
        Kind::Csv => {}
    }
    w.flush().with_context(|| format!("无法写入“{out}”"))?;
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, f) in &cross {
        *by_rule.entry(f.rule.as_str()).or_default() += 1;
    }
    let cross_summary: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r} {n} 项")).collect();
    eprintln!(
        "已写入{out}：{reports} 份报告，其中 {with_errors} 份有错误，{failed} 份无法读取或不是年度报告；跨报告检查：{}{}",
        if cross.is_empty() { "未发现问题".to_string() } else { cross_summary.join("、") },
        if manifest.len() > 0 { format!("（清单 {} 行）", manifest.len()) } else { String::new() }
    );
    if inputs.is_empty() {
        eprintln!("gongkai: 没有读到任何报告文件");
    }
    // The same rule as `check`: 2 when something could not be read, 1 when errors were found.
    Ok(crate::check::exit_code(reports, failed, lost, errors))
}

fn page(audited: &[Audited]) -> String {
    use gongkai_render::esc;
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_organ: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut parents: BTreeMap<&str, &str> = BTreeMap::new();
    for a in audited {
        for f in &a.findings {
            *by_rule.entry(f.rule.as_str()).or_default() += 1;
        }
        let e = by_organ.entry(a.organ.as_deref().unwrap_or("（未识别）")).or_default();
        if let Some(p) = &a.parent {
            parents.entry(a.organ.as_deref().unwrap_or("（未识别）")).or_insert(p.as_str());
        }
        e.0 += 1;
        e.1 += a.findings.iter().filter(|f| f.severity == Severity::Error).count();
    }
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>政府信息公开工作年度报告检查结果</title>\
         <style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:3px 6px;vertical-align:top}\
         .error{color:#b00}.warning{color:#a60}.info{color:#06c}details summary{cursor:pointer}</style></head><body>\n<h1>政府信息公开工作年度报告检查结果</h1>\n",
    );
    let _ = writeln!(h, "<p>共 {} 份报告。</p>", audited.len());
    h.push_str("<h2>按规则统计</h2>\n<table><thead><tr><th scope=\"col\">规则</th><th scope=\"col\">说明</th><th scope=\"col\">次数</th></tr></thead><tbody>\n");
    for (rule, n) in &by_rule {
        let title = gongkai_rules::RULES.iter().find(|r| r.id == *rule).map_or("", |r| r.title);
        let _ = writeln!(h, "<tr><td>{}</td><td>{}</td><td>{n}</td></tr>", esc(rule), esc(title));
    }
    h.push_str("</tbody></table>\n<h2>按机关统计</h2>\n<table><thead><tr><th scope=\"col\">上级机关</th><th scope=\"col\">机关</th><th scope=\"col\">报告数</th><th scope=\"col\">错误数</th></tr></thead><tbody>\n");
    // Grouped under the parent organ when a manifest supplies the hierarchy.
    let mut rows: Vec<(&str, &str, usize, usize)> =
        by_organ.iter().map(|(o, (n, e))| (parents.get(o).copied().unwrap_or(""), *o, *n, *e)).collect();
    rows.sort();
    for (parent, organ, n, e) in rows {
        let _ = writeln!(h, "<tr><td>{}</td><td>{}</td><td>{n}</td><td>{e}</td></tr>", esc(parent), esc(organ));
    }
    h.push_str("</tbody></table>\n<h2>各报告问题</h2>\n<table><thead><tr><th scope=\"col\">文件</th><th scope=\"col\">机关</th><th scope=\"col\">年度</th><th scope=\"col\">问题（按规则分组，含源文件位置）</th></tr></thead><tbody>\n");
    for a in audited {
        let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &a.findings {
            groups.entry(f.rule.as_str()).or_default().push(f);
        }
        let mut cell = String::new();
        if let Some(e) = &a.error {
            let _ = write!(cell, "<span class=\"error\">无法读取：{}</span>", esc(e));
        }
        for (rule, fs) in groups {
            let _ = write!(cell, "<details><summary>{} ×{}</summary><ul>", esc(rule), fs.len());
            for f in fs {
                let loc = f.location.map_or(String::new(), |l| format!("{}:{}:{}", a.file, l.line, l.col));
                let _ = write!(
                    cell,
                    "<li class=\"{}\">{}<br><a href=\"{}\"><code>{}</code></a></li>",
                    f.severity.as_str(),
                    esc(&f.message),
                    esc(&a.file),
                    esc(&loc)
                );
            }
            cell.push_str("</ul></details>");
        }
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.file),
            esc(a.organ.as_deref().unwrap_or("")),
            a.year.map_or(String::new(), |y| y.to_string()),
            cell
        );
    }
    h.push_str("</tbody></table>\n</body></html>\n");
    h
}
