//! Checking reports: one input ([`check_one`], [`check_read`]) or a batch streamed to a writer
//! in text, JSON or CSV ([`check`]), with the checks between reports.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use gongkai_model::doc::LineIndex;
use gongkai_model::{Finding, Report, Severity};
use gongkai_parse::{MAX_INPUT, Parsed};
use serde::Serialize;

use super::files::{self, Input};
use super::{Keys, Named};

/// Parse and check one input; findings sorted by position (parser findings first on ties).
/// Every format goes through the one entry, `gongkai_ingest::check`.
pub fn check_one(input: &Input) -> Result<(Parsed, Vec<Finding>)> {
    check_read(input).map(|(p, f, _)| (p, f))
}

/// [`check_one`], with the digest of the file's bytes (to name byte copies in a batch).
pub fn check_read(input: &Input) -> Result<(Parsed, Vec<Finding>, u128)> {
    let bytes = files::read(input, MAX_INPUT)?;
    let digest = super::spill::digest(&bytes);
    let name = input.name();
    let c = gongkai_ingest::check(bytes, Some(&name)).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Ok((c.parsed, c.findings, digest))
}

/// Whether a file's findings say it is not an annual report (it then counts as failed).
pub fn not_a_report(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.rule == "P8")
}

/// `--errors-only`: the errors, and for a truncated document the truncation (P5) with what is
/// missing after it, each marked as possibly caused by the truncation (the checker does not
/// count those as errors, so a filter on errors alone would hide them).
pub fn errors_only(findings: &mut Vec<Finding>, report: &Report) {
    let truncated = report.truncated.is_some();
    findings.retain(|f| f.severity == Severity::Error || (truncated && f.rule == "P5"));
    findings.extend(gongkai_rules::lost_to_truncation(report));
}

/// The output format of a checked batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    /// Diagnostics in the front end's own text style (see [`TextStyle`]).
    Text,
    /// A JSON array, one record a file on its own line.
    Json,
    /// `file,rule,severity,line,col,message,cells`.
    Csv,
}

/// How a front end shows one finding as text: `(finding, file name, decoded source, its line
/// index)` → the lines to print (the CLI's compiler-style diagnostics, with or without colour).
pub type TextStyle<'a> = &'a (dyn Fn(&Finding, &str, &str, &LineIndex) -> String + Sync);

/// A batch to check.
#[derive(Debug)]
pub struct CheckCommand<'a> {
    pub inputs: &'a [Input],
    pub format: CheckFormat,
    /// Only errors (and what a truncation may have lost); see [`errors_only`].
    pub errors_only: bool,
}

/// What a checked batch found: the counts, the findings between reports (named by file), and
/// the exit class.
#[derive(Debug, Default)]
pub struct CheckSummary {
    pub reports: usize,
    /// Reports with at least one error.
    pub with_errors: usize,
    /// Files that could not be read or are not reports.
    pub failed: usize,
    pub errors: usize,
    /// Warnings, those between reports included.
    pub warnings: usize,
    pub infos: usize,
    /// Findings per rule, those between reports included.
    pub by_rule: BTreeMap<String, usize>,
    /// The findings between reports (E5, E6 across consecutive years of one organ; D15 copied
    /// text; B1/B2 the same file or report twice), each with its file.
    pub cross: Named,
}

impl CheckSummary {
    /// 2 when something could not be read (`lost`: a folder or link of the inputs), 1 when
    /// errors were found, else 0.
    pub fn exit_code(&self, lost: bool) -> u8 {
        super::exit_code(self.reports, self.failed, lost, self.errors)
    }
}

#[derive(Default)]
struct Counts {
    errors: usize,
    warnings: usize,
    infos: usize,
}

struct FileOut {
    rendered: Vec<u8>,
    counts: Counts,
    rules: Vec<String>,
    failed: bool,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organ: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<gongkai_model::FormatVersion>,
    findings: &'a [Finding],
}

/// One CSV line: file,rule,severity,line,col,message,cells.
pub fn csv_row(name: &str, f: &Finding) -> String {
    let (line, col) = f.location.map_or((String::new(), String::new()), |l| (l.line.to_string(), l.col.to_string()));
    csv_line(&[name, &f.rule, f.severity.as_str(), &line, &col, &f.message, &f.cells.join(" ")])
}

/// One CSV record through the `csv` writer, every field neutralised against formula
/// injection (file names and messages quote the checked files' own text).
pub fn csv_line(fields: &[&str]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record(fields.iter().map(|f| crate::ledger::neutralise(f).into_owned()));
    w.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

/// Read, parse, check and format one input (on a worker thread).
fn process(input: &Input, cmd: &CheckCommand, text: TextStyle) -> (FileOut, Keys) {
    let name = input.name();
    let (parsed, mut findings, digest) = match check_read(input) {
        Ok(x) => x,
        Err(e) => return (failed(&name, &format!("{e:#}"), cmd.format), Keys::default()),
    };
    if let Some(why) = &parsed.unsupported {
        return (failed(&name, why, cmd.format), Keys::default());
    }
    let not_report = not_a_report(&findings);
    if cmd.errors_only {
        errors_only(&mut findings, &parsed.report);
    }
    let mut counts = Counts::default();
    for f in &findings {
        match f.severity {
            Severity::Error => counts.errors += 1,
            Severity::Warning => counts.warnings += 1,
            Severity::Info => counts.infos += 1,
        }
    }
    let rules = findings.iter().map(|f| f.rule.clone()).collect();
    let rendered = match cmd.format {
        CheckFormat::Text => {
            let index = LineIndex::new(&parsed.text);
            let mut s = String::new();
            for f in &findings {
                s.push_str(&text(f, &name, &parsed.text, &index));
                s.push('\n');
            }
            s
        }
        CheckFormat::Json => {
            let r = &parsed.report;
            serde_json::to_string(&JsonFile {
                file: name,
                error: None,
                organ: r.organ.as_ref().map(|o| o.value.as_str()),
                year: r.year.as_ref().map(|y| y.value),
                format: Some(r.format),
                findings: &findings,
            })
            .unwrap_or_default()
        }
        CheckFormat::Csv => {
            let mut s = String::new();
            for f in &findings {
                s.push_str(&csv_row(&name, f));
            }
            s
        }
    };
    let out = FileOut { rendered: rendered.into_bytes(), counts, rules, failed: not_report };
    if not_report {
        // Not a report: nothing to compare with other reports; counted as failed.
        return (out, Keys { digest: Some(digest), ..Keys::default() });
    }
    (out, Keys::of(&parsed.report, digest))
}

fn failed(name: &str, why: &str, format: CheckFormat) -> FileOut {
    let rendered = match format {
        CheckFormat::Text => format!("失败: {name}: {why}\n\n"),
        CheckFormat::Json => serde_json::to_string(&JsonFile {
            file: name.to_string(),
            error: Some(why.to_string()),
            organ: None,
            year: None,
            format: None,
            findings: &[],
        })
        .unwrap_or_default(),
        CheckFormat::Csv => csv_line(&[name, "FAILED", "error", "", "", why, ""]),
    };
    FileOut { rendered: rendered.into_bytes(), counts: Counts::default(), rules: Vec::new(), failed: true }
}

/// Check a batch and write each file's findings to `out` in input order as its batch completes
/// (JSON: an array, one record a line; CSV: with its header). `text` shows a finding in the
/// text format; `progress` is called on a worker thread after each file. The findings between
/// reports are returned, not written: how they are shown is the front end's (the CLI writes
/// them after the text or CSV, and as a JSON line on stderr). Returns the writer for that.
pub fn check<W: Write + Send + 'static>(
    cmd: &CheckCommand,
    text: TextStyle,
    progress: &(dyn Fn() + Sync),
    out: W,
) -> Result<(CheckSummary, W)> {
    let format = cmd.format;
    let (tx, writer) = super::writer_thread(out);
    let mut sum = CheckSummary::default();
    let mut first = true;
    let mut head = match format {
        CheckFormat::Text => String::new(),
        CheckFormat::Json => "[\n".to_string(),
        CheckFormat::Csv => "file,rule,severity,line,col,message,cells\n".to_string(),
    };
    let mut sent_ok = true;
    let work = |i: &Input| {
        let o = process(i, cmd, text);
        progress();
        o
    };
    let spill = super::stream(cmd.inputs, work, |outs: Vec<FileOut>| {
        let mut chunk = std::mem::take(&mut head).into_bytes();
        for o in outs {
            sum.errors += o.counts.errors;
            sum.warnings += o.counts.warnings;
            sum.infos += o.counts.infos;
            sum.failed += usize::from(o.failed);
            sum.with_errors += usize::from(o.counts.errors > 0);
            for r in o.rules {
                *sum.by_rule.entry(r).or_default() += 1;
            }
            if format == CheckFormat::Json {
                // Each record on its own line, a comma before every one but the first.
                chunk.extend_from_slice(if first { b"  " } else { b",\n  " });
            }
            chunk.extend_from_slice(&o.rendered);
            first = false;
        }
        // A failed send: the writer stopped on an error, which the join below returns.
        sent_ok = tx.send(chunk).is_ok();
        Ok(sent_ok)
    })?;
    if sent_ok {
        let tail: &[u8] = match (format, first) {
            (CheckFormat::Json, true) => b"[\n]\n",
            (CheckFormat::Json, false) => b"\n]\n",
            (CheckFormat::Text | CheckFormat::Csv, true) => head.as_bytes(),
            _ => b"",
        };
        let _ = tx.send(tail.to_vec());
    }
    drop(tx);
    let w = super::join_writer(writer)??;
    let names = |i: usize| cmd.inputs[i].name();
    sum.cross = spill.finish(names)?.into_iter().map(|(i, f)| (names(i), f)).collect();
    for (_, f) in &sum.cross {
        *sum.by_rule.entry(f.rule.clone()).or_default() += 1;
    }
    sum.warnings += sum.cross.len();
    sum.reports = cmd.inputs.len();
    Ok((sum, w))
}
