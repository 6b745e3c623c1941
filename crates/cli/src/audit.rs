//! `gongkai audit PATH... --out FILE.{csv,json,html}`: a folder of reports to a long-format
//! dataset (CSV), a JSON dump, or an audit page in Chinese.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use gongkai_model::{Cell, CellValue, Finding, Report, Severity};
use rayon::prelude::*;
use serde::Serialize;

use crate::check::check_one;
use crate::files::{self, Input};

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
    year: Option<i32>,
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
            raw: c.raw.clone(),
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

fn audit_one(input: &Input) -> Audited {
    let file = input.name();
    match check_one(input) {
        Ok((p, findings)) if p.unsupported.is_none() => Audited {
            file,
            error: None,
            organ: p.report.organ.as_ref().map(|o| o.value.clone()),
            year: p.report.year.as_ref().map(|y| y.value),
            format: Some(p.report.format),
            cells: cells(&p.report),
            findings,
        },
        Ok((p, _)) => Audited {
            file,
            error: p.unsupported,
            organ: None,
            year: None,
            format: None,
            findings: Vec::new(),
            cells: Vec::new(),
        },
        Err(e) => Audited {
            file,
            error: Some(format!("{e:#}")),
            organ: None,
            year: None,
            format: None,
            findings: Vec::new(),
            cells: Vec::new(),
        },
    }
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Files per parallel batch: results are written and dropped batch by batch, so memory stays
/// bounded by the batch, not by the folder.
const BATCH: usize = 256;

fn csv_rows(a: &Audited, s: &mut String) {
    let fmt = a
        .format
        .and_then(|f| serde_json::to_value(f).ok())
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    for c in &a.cells {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            csv(&a.file),
            csv(a.organ.as_deref().unwrap_or("")),
            a.year.map_or(String::new(), |y| y.to_string()),
            fmt,
            c.table,
            c.row,
            c.col,
            c.state,
            c.value.clone().unwrap_or_default(),
            csv(&c.raw),
            c.line.map_or(String::new(), |v| v.to_string()),
            c.column.map_or(String::new(), |v| v.to_string()),
        );
    }
}

pub fn run(paths: &[String], out: &str) -> Result<u8> {
    use std::io::Write;
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
    let (inputs, _) = files::collect(paths)?;
    let file = std::fs::File::create(out).with_context(|| format!("无法写入“{out}”"))?;
    let mut w = std::io::BufWriter::new(file);
    let mut kept: Vec<Audited> = Vec::new();
    let (mut reports, mut with_errors) = (0usize, 0usize);
    if let Kind::Csv = kind {
        writeln!(w, "file,organ,year,format,table,row,col,state,value,raw,line,column")?;
    }
    if let Kind::Json = kind {
        writeln!(w, "[")?;
    }
    for (b, batch) in inputs.chunks(BATCH).enumerate() {
        let mut done: Vec<Audited> = batch.par_iter().map(audit_one).collect();
        for (k, a) in done.iter_mut().enumerate() {
            reports += 1;
            with_errors += usize::from(a.findings.iter().any(|f| f.severity == Severity::Error));
            match kind {
                Kind::Csv => {
                    let mut s = String::new();
                    csv_rows(a, &mut s);
                    w.write_all(s.as_bytes())?;
                }
                Kind::Json => {
                    let sep = if b == 0 && k == 0 { "" } else { "," };
                    writeln!(w, "{sep}{}", serde_json::to_string(a)?)?;
                }
                // The page needs every report's findings, not the cells.
                Kind::Html => a.cells = Vec::new(),
            }
        }
        if let Kind::Html = kind {
            kept.extend(done);
        }
    }
    match kind {
        Kind::Json => writeln!(w, "]")?,
        Kind::Html => w.write_all(page(&kept).as_bytes())?,
        Kind::Csv => {}
    }
    w.flush()?;
    eprintln!("已写入{out}：{reports} 份报告，其中 {with_errors} 份有错误");
    Ok(0)
}

fn page(audited: &[Audited]) -> String {
    use gongkai_render::esc;
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_organ: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for a in audited {
        for f in &a.findings {
            *by_rule.entry(f.rule.as_str()).or_default() += 1;
        }
        let e = by_organ.entry(a.organ.as_deref().unwrap_or("（未识别）")).or_default();
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
    h.push_str("</tbody></table>\n<h2>按机关统计</h2>\n<table><thead><tr><th scope=\"col\">机关</th><th scope=\"col\">报告数</th><th scope=\"col\">错误数</th></tr></thead><tbody>\n");
    for (organ, (n, e)) in &by_organ {
        let _ = writeln!(h, "<tr><td>{}</td><td>{n}</td><td>{e}</td></tr>", esc(organ));
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
