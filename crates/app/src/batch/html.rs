//! The audit page (`audit --out x.html`), written in flat memory: while the batches run, each
//! report's row waits as one JSON line in a private temporary file and only the page's counts
//! (by rule, by organ) are kept; at the end the counts are written, then the rows are read back
//! one at a time, each with its findings between reports added.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};

use gongkai_model::{Finding, Severity};
use gongkai_render::esc;
use serde::{Deserialize, Serialize};

/// One report's row of the page, as it waits in the temporary file.
#[derive(Serialize)]
pub(super) struct Row<'a> {
    file: &'a str,
    error: Option<&'a str>,
    organ: Option<&'a str>,
    year: Option<i32>,
    findings: &'a [Finding],
}

/// A [`Row`] read back.
#[derive(Deserialize)]
struct OwnedRow {
    file: String,
    error: Option<String>,
    organ: Option<String>,
    year: Option<i32>,
    findings: Vec<Finding>,
}

impl Row<'_> {
    /// The row as one line (JSON escapes line breaks inside strings).
    pub(super) fn line(
        file: &str,
        error: Option<&str>,
        organ: Option<&str>,
        year: Option<i32>,
        findings: &[Finding],
    ) -> String {
        let mut s = serde_json::to_string(&Row { file, error, organ, year, findings }).unwrap_or_default();
        s.push('\n');
        s
    }
}

const UNKNOWN_ORGAN: &str = "（未识别）";

/// The page's counts, kept while the rows wait.
#[derive(Default)]
pub(super) struct Page {
    reports: usize,
    by_rule: BTreeMap<String, usize>,
    /// Organ → (reports, errors).
    by_organ: BTreeMap<String, (usize, usize)>,
    /// Organ → its parent organ (the first the manifest gave).
    parents: BTreeMap<String, String>,
}

fn corrupt(k: usize) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("审计页面的临时文件第{}行无法读回", k + 1))
}

impl Page {
    /// Count one report (in input order).
    pub(super) fn count(&mut self, organ: Option<&str>, parent: Option<&str>, findings: &[Finding]) {
        self.reports += 1;
        for f in findings {
            *self.by_rule.entry(f.rule.clone()).or_default() += 1;
        }
        let organ = organ.unwrap_or(UNKNOWN_ORGAN);
        if let Some(p) = parent {
            self.parents.entry(organ.to_string()).or_insert_with(|| p.to_string());
        }
        let e = self.by_organ.entry(organ.to_string()).or_default();
        e.0 += 1;
        e.1 += findings.iter().filter(|f| f.severity == Severity::Error).count();
    }

    /// Write the page: the counts (with the findings between reports), then every row from
    /// `rows` (one line per report, in input order) with its findings between reports.
    pub(super) fn write(mut self, rows: File, cross: &[(usize, Finding)], w: &mut impl Write) -> std::io::Result<()> {
        let mut extra: BTreeMap<usize, Vec<&Finding>> = BTreeMap::new();
        for (i, f) in cross {
            extra.entry(*i).or_default().push(f);
            *self.by_rule.entry(f.rule.clone()).or_default() += 1;
        }
        let mut rows = BufReader::new(rows);
        // The writer left the file at its end.
        rows.seek(SeekFrom::Start(0))?;
        // An error between reports counts for its report's organ: find those reports' organs.
        let erring: BTreeMap<usize, usize> = extra
            .iter()
            .map(|(i, fs)| (*i, fs.iter().filter(|f| f.severity == Severity::Error).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        if !erring.is_empty() {
            let mut line = String::new();
            for k in 0..self.reports {
                line.clear();
                rows.read_line(&mut line)?;
                if let Some(n) = erring.get(&k) {
                    let row: OwnedRow = serde_json::from_str(&line).map_err(|_| corrupt(k))?;
                    self.by_organ.entry(row.organ.unwrap_or_else(|| UNKNOWN_ORGAN.to_string())).or_default().1 += n;
                }
            }
            rows.seek(SeekFrom::Start(0))?;
        }
        w.write_all(self.head().as_bytes())?;
        let mut line = String::new();
        for k in 0..self.reports {
            line.clear();
            rows.read_line(&mut line)?;
            let mut row: OwnedRow = serde_json::from_str(&line).map_err(|_| corrupt(k))?;
            if let Some(fs) = extra.get(&k) {
                row.findings.extend(fs.iter().map(|f| (*f).clone()));
            }
            w.write_all(row.html().as_bytes())?;
        }
        w.write_all(b"</tbody></table>\n</body></html>\n")
    }

    /// Everything before the first report's row.
    fn head(&self) -> String {
        let mut h = String::from(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>政府信息公开工作年度报告检查结果</title>\
             <style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:3px 6px;vertical-align:top}\
             .error{color:#b00}.warning{color:#a60}.info{color:#06c}details summary{cursor:pointer}</style></head><body>\n<h1>政府信息公开工作年度报告检查结果</h1>\n",
        );
        let _ = writeln!(h, "<p>共 {} 份报告。</p>", self.reports);
        h.push_str("<h2>按规则统计</h2>\n<table><thead><tr><th scope=\"col\">规则</th><th scope=\"col\">说明</th><th scope=\"col\">次数</th></tr></thead><tbody>\n");
        for (rule, n) in &self.by_rule {
            let title = gongkai_rules::RULES.iter().find(|r| r.id == rule.as_str()).map_or("", |r| r.title);
            let _ = writeln!(h, "<tr><td>{}</td><td>{}</td><td>{n}</td></tr>", esc(rule), esc(title));
        }
        h.push_str("</tbody></table>\n<h2>按机关统计</h2>\n<table><thead><tr><th scope=\"col\">上级机关</th><th scope=\"col\">机关</th><th scope=\"col\">报告数</th><th scope=\"col\">错误数</th></tr></thead><tbody>\n");
        // Grouped under the parent organ when a manifest supplies the hierarchy.
        let mut rows: Vec<(&str, &str, usize, usize)> = self
            .by_organ
            .iter()
            .map(|(o, (n, e))| (self.parents.get(o).map_or("", String::as_str), o.as_str(), *n, *e))
            .collect();
        rows.sort();
        for (parent, organ, n, e) in rows {
            let _ = writeln!(h, "<tr><td>{}</td><td>{}</td><td>{n}</td><td>{e}</td></tr>", esc(parent), esc(organ));
        }
        h.push_str("</tbody></table>\n<h2>各报告问题</h2>\n<table><thead><tr><th scope=\"col\">文件</th><th scope=\"col\">机关</th><th scope=\"col\">年度</th><th scope=\"col\">问题（按规则分组，含源文件位置）</th></tr></thead><tbody>\n");
        h
    }
}

impl OwnedRow {
    /// The report's row: its problems grouped by rule, each with its place in the source.
    fn html(&self) -> String {
        let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &self.findings {
            groups.entry(f.rule.as_str()).or_default().push(f);
        }
        let mut cell = String::new();
        if let Some(e) = &self.error {
            let _ = write!(cell, "<span class=\"error\">无法读取：{}</span>", esc(e));
        }
        for (rule, fs) in groups {
            let _ = write!(cell, "<details><summary>{} ×{}</summary><ul>", esc(rule), fs.len());
            for f in fs {
                let loc = f.location.map_or(String::new(), |l| format!("{}:{}:{}", self.file, l.line, l.col));
                let _ = write!(
                    cell,
                    "<li class=\"{}\">{}<br><a href=\"{}\"><code>{}</code></a></li>",
                    f.severity.as_str(),
                    esc(&f.message),
                    esc(&self.file),
                    esc(&loc)
                );
            }
            cell.push_str("</ul></details>");
        }
        format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&self.file),
            esc(self.organ.as_deref().unwrap_or("")),
            self.year.map_or(String::new(), |y| y.to_string()),
            cell
        )
    }
}
