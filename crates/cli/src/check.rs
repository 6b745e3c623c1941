//! `gongkai check` and `gongkai parse`.

use std::io::Write;

use anyhow::Result;
use gongkai_model::doc::LineIndex;
use gongkai_model::{Finding, Severity};
use gongkai_parse::{MAX_INPUT, Parsed};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;

use crate::diag::{self, Style};
use crate::files::{self, Input};
use crate::{OutFormat, ParseFormat};
use gongkai_rules::cross::YearSummary;

/// Parse and check one input; findings sorted by position (parser findings first on ties).
/// Every format goes through the one entry, `gongkai_ingest::check`.
pub fn check_one(input: &Input) -> Result<(Parsed, Vec<Finding>)> {
    check_read(input).map(|(p, f, _)| (p, f))
}

/// [`check_one`], with the digest of the file's bytes (to name byte copies in a batch).
pub fn check_read(input: &Input) -> Result<(Parsed, Vec<Finding>, u128)> {
    let bytes = files::read(input, MAX_INPUT)?;
    let digest = crate::spill::digest(&bytes);
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
pub fn errors_only(findings: &mut Vec<Finding>, report: &gongkai_model::Report) {
    let truncated = report.truncated.is_some();
    findings.retain(|f| f.severity == Severity::Error || (truncated && f.rule == "P5"));
    findings.extend(gongkai_rules::lost_to_truncation(report));
}

#[derive(Default)]
struct Counts {
    errors: usize,
    warnings: usize,
    infos: usize,
}

struct FileOut {
    rendered: String,
    counts: Counts,
    rules: Vec<String>,
    failed: bool,
    /// Tables, organ and year only (no prose), for the cross-year checks.
    slim: Option<YearSummary>,
    /// MinHash signature of sections 一 and 五, for copied-text detection (D15).
    sig: Option<gongkai_rules::similarity::Signature>,
    /// Digest of the file's bytes (byte copies, B1).
    digest: Option<u128>,
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
fn csv_row(name: &str, f: &Finding) -> String {
    let (line, col) = f.location.map_or((String::new(), String::new()), |l| (l.line.to_string(), l.col.to_string()));
    csv_line(&[name, &f.rule, f.severity.as_str(), &line, &col, &f.message, &f.cells.join(" ")])
}

/// One CSV record through the `csv` writer, every field neutralised against formula
/// injection (file names and messages quote the checked files' own text).
pub(crate) fn csv_line(fields: &[&str]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record(fields.iter().map(|f| crate::safe::neutralise(f).into_owned()));
    w.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

/// Read, parse, check and format one input (on a worker thread).
fn process(input: &Input, format: OutFormat, style: Style, errors: bool) -> FileOut {
    let name = input.name();
    let (parsed, mut findings, digest) = match check_read(input) {
        Ok(x) => x,
        Err(e) => return failed(&name, &format!("{e:#}"), format),
    };
    if let Some(why) = &parsed.unsupported {
        return failed(&name, why, format);
    }
    let not_report = not_a_report(&findings);
    if errors {
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
    let rendered = match format {
        OutFormat::Text => {
            let index = LineIndex::new(&parsed.text);
            let mut s = String::new();
            for f in &findings {
                s.push_str(&diag::render(f, &name, &parsed.text, &index, style));
                s.push('\n');
            }
            s
        }
        OutFormat::Json => {
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
        OutFormat::Csv => {
            let mut s = String::new();
            for f in &findings {
                s.push_str(&csv_row(&name, f));
            }
            s
        }
    };
    if not_report {
        // Not a report: nothing to compare with other reports; counted as failed.
        return FileOut { rendered, counts, rules, failed: true, slim: None, sig: None, digest: Some(digest) };
    }
    let sig = gongkai_rules::similarity::signature(&parsed.report);
    let slim = Some(YearSummary::of(&parsed.report));
    FileOut { rendered, counts, rules, failed: false, slim, sig, digest: Some(digest) }
}

fn failed(name: &str, why: &str, format: OutFormat) -> FileOut {
    let rendered = match format {
        OutFormat::Text => format!("失败: {name}: {why}\n\n"),
        OutFormat::Json => serde_json::to_string(&JsonFile {
            file: name.to_string(),
            error: Some(why.to_string()),
            organ: None,
            year: None,
            format: None,
            findings: &[],
        })
        .unwrap_or_default(),
        OutFormat::Csv => csv_line(&[name, "FAILED", "error", "", "", why, ""]),
    };
    FileOut {
        rendered,
        counts: Counts::default(),
        rules: Vec::new(),
        failed: true,
        slim: None,
        sig: None,
        digest: None,
    }
}

/// Files per parallel batch: results are written and dropped batch by batch (in input order),
/// so memory is bounded by the batch, not by the folder.
pub const BATCH: usize = 256;

/// A progress bar on stderr for more than one input, when stderr is a terminal.
pub fn progress_bar(show: bool, n: usize) -> Option<ProgressBar> {
    if !(show && n > 1 && crate::ui::fancy_stderr()) {
        return None;
    }
    let b = ProgressBar::new(n as u64);
    if let Ok(s) = ProgressStyle::with_template("{bar:40} {pos}/{len} 份报告 {elapsed_precise} 剩余{eta}") {
        b.set_style(s);
    }
    Some(b)
}

/// A thread that writes what it is sent, in order, so that writing overlaps the work of the
/// next batch. It ends when the sender is dropped and returns the writer (or the first error).
pub fn writer_thread<W: Write + Send + 'static>(
    mut w: W,
) -> (std::sync::mpsc::SyncSender<Vec<u8>>, std::thread::JoinHandle<std::io::Result<W>>) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let h = std::thread::spawn(move || {
        for chunk in rx {
            w.write_all(&chunk)?;
        }
        w.flush()?;
        Ok(w)
    });
    (tx, h)
}

/// The exit code of a batch: 2 when a file could not be read or is not a report, or a folder
/// could not be read, or nothing at all was read; 1 when errors were found; else 0.
pub fn exit_code(read: usize, failed: usize, lost: bool, errors: usize) -> u8 {
    if failed > 0 || lost || read == 0 {
        2
    } else if errors > 0 {
        1
    } else {
        0
    }
}

pub fn run(paths: &[String], format: OutFormat, progress: bool, errors_only: bool) -> Result<u8> {
    let (inputs, skipped) = files::collect(paths)?;
    let style = Style { color: crate::ui::color_stdout() && format == OutFormat::Text };
    let bar = progress_bar(progress, inputs.len());
    let (tx, writer) = writer_thread(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()));
    let mut cross = crate::spill::Cross::new()?;
    let (mut errors, mut warnings, mut infos, mut failed, mut with_errors) = (0, 0, 0, 0, 0);
    let mut by_rule: std::collections::BTreeMap<String, usize> = Default::default();
    let mut first = true;
    let mut head = match format {
        OutFormat::Text => String::new(),
        OutFormat::Json => "[\n".to_string(),
        OutFormat::Csv => "file,rule,severity,line,col,message,cells\n".to_string(),
    };
    let mut sent_ok = true;
    for batch in inputs.chunks(BATCH) {
        let outs: Vec<FileOut> = batch
            .par_iter()
            .map(|i| {
                let o = process(i, format, style, errors_only);
                if let Some(b) = &bar {
                    b.inc(1);
                }
                o
            })
            .collect();
        let mut chunk = std::mem::take(&mut head).into_bytes();
        for o in outs {
            errors += o.counts.errors;
            warnings += o.counts.warnings;
            infos += o.counts.infos;
            failed += usize::from(o.failed);
            with_errors += usize::from(o.counts.errors > 0);
            for r in o.rules {
                *by_rule.entry(r).or_default() += 1;
            }
            cross.push(o.slim.as_ref(), o.sig.as_ref(), o.digest)?;
            if format == OutFormat::Json {
                // Each record on its own line, a comma before every one but the first.
                chunk.extend_from_slice(if first { b"  " } else { b",\n  " });
                chunk.extend_from_slice(o.rendered.as_bytes());
            } else {
                chunk.extend_from_slice(o.rendered.as_bytes());
            }
            first = false;
        }
        if tx.send(chunk).is_err() {
            // The writer stopped on an error: it is returned below.
            sent_ok = false;
            break;
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if sent_ok {
        let tail: &[u8] = match (format, first) {
            (OutFormat::Json, true) => b"[\n]\n",
            (OutFormat::Json, false) => b"\n]\n",
            (OutFormat::Text | OutFormat::Csv, true) => head.as_bytes(),
            _ => b"",
        };
        let _ = tx.send(tail.to_vec());
    }
    drop(tx);
    let mut w = writer.join().map_err(|_| anyhow::anyhow!("输出线程异常结束"))??;
    // Checks between reports (E5, E6 across consecutive years of one organ; D15 copied text;
    // B1/B2 the same file or report twice).
    let names = |i: usize| inputs[i].name();
    let cross: Vec<(String, Finding)> = cross.finish(names)?.into_iter().map(|(i, f)| (names(i), f)).collect();
    if !cross.is_empty() {
        match format {
            OutFormat::Text => {
                writeln!(w, "跨年度检查与雷同检查（同一机关相邻年度的报告；各报告之间的文字；重复的文件）：")?;
                for (name, f) in &cross {
                    let loc = f.location.map_or(String::new(), |l| format!(":{}:{}", l.line, l.col));
                    writeln!(w, "警告[{}]: {}\n  --> {name}{loc}\n", f.rule, f.message)?;
                }
            }
            OutFormat::Csv => {
                for (name, f) in &cross {
                    w.write_all(csv_row(name, f).as_bytes())?;
                }
            }
            OutFormat::Json => {}
        }
        w.flush()?;
        if format == OutFormat::Json {
            eprintln!(
                "{}",
                serde_json::to_string(
                    &serde_json::json!({ "cross_year": cross.iter().map(|(n, f)| serde_json::json!({"file": n, "finding": f})).collect::<Vec<_>>() })
                )?
            );
        }
    }
    for (_, f) in &cross {
        *by_rule.entry(f.rule.clone()).or_default() += 1;
    }
    let warnings = warnings + cross.len();
    let mut summary = format!(
        "检查完成：{} 份报告，其中 {with_errors} 份有错误，{failed} 份无法读取或不是年度报告；错误 {errors} 个，警告 {warnings} 个，提示 {infos} 个",
        inputs.len()
    );
    if !skipped.is_empty() {
        // Every skipped entry is counted and named with its reason (never silent).
        let mut reasons: std::collections::BTreeMap<&str, usize> = Default::default();
        for k in &skipped {
            *reasons.entry(k.reason).or_default() += 1;
        }
        let parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} {n} 个")).collect();
        summary.push_str(&format!("；跳过 {} 个条目（{}）", skipped.len(), parts.join("，")));
        let list: String = skipped
            .iter()
            .map(|k| format!("\n  跳过 {}：{}", crate::safe::esc(&k.path.display().to_string()), k.reason))
            .collect();
        summary.push_str(&format!("\n跳过的条目：{list}"));
    }
    if inputs.is_empty() {
        summary.push_str("\n没有读到任何报告文件");
    }
    if !by_rule.is_empty() {
        let parts: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r}×{n}")).collect();
        summary.push_str(&format!("\n按规则：{}", parts.join("  ")));
    }
    if format == OutFormat::Text {
        writeln!(w, "{summary}")?;
        w.flush()?;
    } else {
        eprintln!("{summary}");
    }
    // A folder that could not be read may hold reports: like an unreadable report, exit 2.
    Ok(exit_code(inputs.len(), failed, skipped.iter().any(|k| k.lost), errors))
}

#[derive(Serialize)]
struct ParseOut<'a> {
    #[serde(flatten)]
    report: &'a gongkai_model::Report,
    findings: &'a [Finding],
}

pub fn parse(path: &str, format: ParseFormat) -> Result<u8> {
    let input = if path == "-" { Input::Stdin } else { Input::File(path.into()) };
    let (parsed, findings) = check_one(&input)?;
    if let Some(why) = parsed.unsupported {
        anyhow::bail!("{}: {why}", input.name());
    }
    match format {
        ParseFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&ParseOut { report: &parsed.report, findings: &findings })?);
        }
        ParseFormat::Text => print!("{}", summary_text(&parsed.report)),
    }
    Ok(0)
}

/// A plain-text overview of the extracted data.
fn summary_text(r: &gongkai_model::Report) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "标题：{}", r.title.as_ref().map_or("（未识别）", |t| t.value.as_str()));
    let _ = writeln!(s, "机关：{}", r.organ.as_ref().map_or("（未识别）", |t| t.value.as_str()));
    let fallback = if r.year_basis == Some(gongkai_model::YearBasis::Text) {
        "（标题中没有年度，据正文推断）"
    } else {
        ""
    };
    let _ =
        writeln!(s, "年度：{}{fallback}", r.year.as_ref().map_or("（未识别）".to_string(), |t| t.value.to_string()));
    let basis = r.format_basis.map_or(String::new(), |b| format!("（{}）", b.name_zh()));
    let _ = writeln!(s, "格式：{}{basis}", r.format.name_zh());
    let _ = writeln!(s, "章节：{}", r.sections.iter().map(|x| x.heading.as_str()).collect::<Vec<_>>().join(" / "));
    let cell = |c: &gongkai_model::Cell| match c.as_number() {
        Some(d) => d.to_string(),
        None if c.raw.is_empty() => "（空）".to_string(),
        None => format!("“{}”", c.raw),
    };
    let _ = writeln!(s, "\n表二");
    for (row, cols) in &r.table2 {
        let vals: Vec<String> = cols.iter().map(|(c, v)| format!("{}={}", c.label(), cell(v))).collect();
        let _ = writeln!(s, "  {}：{}", row.label(), vals.join("，"));
    }
    let _ = writeln!(s, "\n表三（自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计）");
    for (row, cols) in &r.table3 {
        let vals: Vec<String> = cols.values().map(cell).collect();
        let _ = writeln!(s, "  {:<7} {}", row.id(), vals.join(" "));
    }
    let _ = writeln!(s, "\n表四（维持 纠正 其他 尚未审结 总计）");
    for (g, cols) in &r.table4 {
        let vals: Vec<String> = cols.values().map(cell).collect();
        let _ = writeln!(s, "  {}：{}", g.label(), vals.join(" "));
    }
    s
}

pub fn rules() {
    for r in gongkai_rules::RULES {
        println!("{:<4} {:<7} {}（{}）", r.id, r.severity.zh(), r.title, r.basis);
    }
}
