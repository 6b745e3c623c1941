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
    let bytes = files::read(input, MAX_INPUT)?;
    let name = input.name();
    let c = gongkai_ingest::check(&bytes, Some(&name)).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Ok((c.parsed, c.findings))
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

fn process(input: &Input, format: OutFormat, style: Style, errors_only: bool) -> FileOut {
    let name = input.name();
    let (parsed, mut findings) = match check_one(input) {
        Ok(x) => x,
        Err(e) => return failed(&name, &format!("{e:#}"), format),
    };
    if let Some(why) = &parsed.unsupported {
        return failed(&name, why, format);
    }
    if errors_only {
        findings.retain(|f| f.severity == Severity::Error);
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
    let sig = gongkai_rules::similarity::signature(&parsed.report);
    let r = parsed.report;
    FileOut { rendered, counts, rules, failed: false, slim: Some(YearSummary::of(&r)), sig }
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
    FileOut { rendered, counts: Counts::default(), rules: Vec::new(), failed: true, slim: None, sig: None }
}

pub fn run(paths: &[String], format: OutFormat, progress: bool, errors_only: bool) -> Result<u8> {
    let (inputs, skipped) = files::collect(paths)?;
    let style = Style { color: crate::ui::color_stdout() && format == OutFormat::Text };
    let bar = if progress && inputs.len() > 1 && crate::ui::fancy_stderr() {
        let b = ProgressBar::new(inputs.len() as u64);
        if let Ok(s) = ProgressStyle::with_template("{bar:40} {pos}/{len} 份报告 {elapsed_precise} 剩余{eta}") {
            b.set_style(s);
        }
        Some(b)
    } else {
        None
    };
    let mut outs: Vec<FileOut> = inputs
        .par_iter()
        .map(|i| {
            let o = process(i, format, style, errors_only);
            if let Some(b) = &bar {
                b.inc(1);
            }
            o
        })
        .collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    match format {
        OutFormat::Text => {}
        OutFormat::Json => writeln!(w, "[")?,
        OutFormat::Csv => writeln!(w, "file,rule,severity,line,col,message,cells")?,
    }
    for (k, o) in outs.iter().enumerate() {
        if format == OutFormat::Json {
            let sep = if k + 1 < outs.len() { "," } else { "" };
            writeln!(w, "  {}{sep}", o.rendered)?;
        } else {
            w.write_all(o.rendered.as_bytes())?;
        }
    }
    if format == OutFormat::Json {
        writeln!(w, "]")?;
    }
    w.flush()?;
    // Cross-year checks (E5, E6, D15) between consecutive reports of the same organ.
    let names: Vec<String> = inputs.iter().map(Input::name).collect();
    let slims: Vec<_> = outs.iter_mut().map(|o| o.slim.take()).collect();
    let sigs: Vec<_> = outs.iter().map(|o| o.sig).collect();
    let cross: Vec<(String, Finding)> =
        cross_report(&names, &slims, &sigs).into_iter().map(|(i, f)| (names[i].clone(), f)).collect();
    if !cross.is_empty() {
        match format {
            OutFormat::Text => {
                writeln!(w, "跨年度检查与雷同检查（同一机关相邻年度的报告；各报告之间的文字）：")?;
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
    // Summary.
    let errors: usize = outs.iter().map(|o| o.counts.errors).sum();
    let warnings: usize = outs.iter().map(|o| o.counts.warnings).sum();
    let infos: usize = outs.iter().map(|o| o.counts.infos).sum();
    let failed = outs.iter().filter(|o| o.failed).count();
    let with_errors = outs.iter().filter(|o| o.counts.errors > 0).count();
    let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in
        outs.iter().flat_map(|o| o.rules.iter().map(String::as_str)).chain(cross.iter().map(|(_, f)| f.rule.as_str()))
    {
        *by_rule.entry(r).or_default() += 1;
    }
    let warnings = warnings + cross.len();
    let mut summary = format!(
        "检查完成：{} 份报告，其中 {with_errors} 份有错误，{failed} 份无法读取；错误 {errors} 个，警告 {warnings} 个，提示 {infos} 个",
        outs.len()
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
    if !by_rule.is_empty() {
        let parts: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r}×{n}")).collect();
        summary.push_str(&format!("\n按规则：{}", parts.join("  ")));
    }
    if format == OutFormat::Text {
        println!("{summary}");
    } else {
        eprintln!("{summary}");
    }
    // A folder that could not be read may hold reports: like an unreadable report, exit 2.
    Ok(if failed > 0 || skipped.iter().any(|k| k.lost) {
        2
    } else if errors > 0 {
        1
    } else {
        0
    })
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
    let fallback = match r.year_basis {
        Some(gongkai_model::YearBasis::Text) => "（标题中没有年度，据正文推断）",
        Some(gongkai_model::YearBasis::Url) => "（标题和正文中都没有年度，据来源网址推断，仅供参考）",
        _ => "",
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

/// The checks between reports (E5, E6, D15): consecutive years of the same organ, and copied
/// text among all of them. `slims[i]` holds report `i`'s tables, organ and year (no prose) and
/// `sigs[i]` its text signature; `names[i]` is its file. Returns (report index, finding).
pub(crate) fn cross_report(
    names: &[String],
    slims: &[Option<YearSummary>],
    sigs: &[Option<gongkai_rules::similarity::Signature>],
) -> Vec<(usize, Finding)> {
    let mut out = cross_year(slims);
    out.extend(copied_text(names, slims, sigs));
    out
}

/// Group reports by organ (a name that ends with another is the same organ: "淮安市洪泽区人民政府"
/// and "洪泽区人民政府") and check each pair of consecutive years.
fn cross_year(slims: &[Option<YearSummary>]) -> Vec<(usize, Finding)> {
    let mut keyed: Vec<(String, i32, usize)> = slims
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let r = r.as_ref()?;
            let organ = gongkai_model::normalize::normalize(r.organ.as_ref()?);
            Some((organ.chars().rev().collect::<String>(), r.year?, i))
        })
        .collect();
    // Reversed names sort a name next to the longer names that end with it.
    keyed.sort();
    let mut groups: Vec<Vec<(i32, usize)>> = Vec::new();
    let mut anchor = String::new();
    for (rev, year, i) in keyed {
        if !anchor.is_empty() && rev.starts_with(&anchor) {
            if let Some(g) = groups.last_mut() {
                g.push((year, i));
            }
        } else {
            anchor = rev;
            groups.push(vec![(year, i)]);
        }
    }
    let mut out = Vec::new();
    for mut g in groups {
        g.sort();
        for pair in g.windows(2) {
            let (Some(prev), Some(cur)) = (slims[pair[0].1].as_ref(), slims[pair[1].1].as_ref()) else {
                continue;
            };
            for f in gongkai_rules::cross::check_summaries(prev, cur) {
                out.push((pair[1].1, f));
            }
        }
    }
    out
}

/// D15: text of sections 一 and 五 copied between reports (≥ 90% estimated shingle overlap,
/// SPEC §6), found through MinHash/LSH rather than by comparing every pair.
fn copied_text(
    names: &[String],
    slims: &[Option<YearSummary>],
    sigs: &[Option<gongkai_rules::similarity::Signature>],
) -> Vec<(usize, Finding)> {
    let mut out = Vec::new();
    for (i, j, sim) in gongkai_rules::similarity::similar_pairs(sigs, 0.9) {
        let (Some(a), Some(b)) = (slims[i].as_ref(), slims[j].as_ref()) else { continue };
        let organ = |r: &YearSummary| r.organ.clone().unwrap_or_else(|| "（未识别机关）".to_string());
        let year = |r: &YearSummary| r.year;
        let same_organ = gongkai_rules::cross::same_organ(&organ(a), &organ(b));
        if same_organ && year(a) == year(b) {
            continue; // the same report twice (another copy or format)
        }
        let (older, newer, ro, rn) = if year(a) <= year(b) { (i, j, a, b) } else { (j, i, b, a) };
        let what = if same_organ { "上一份报告".to_string() } else { format!("{}的报告", organ(ro)) };
        let msg = format!(
            "“总体情况”“存在的主要问题”部分与{what}（{}，{}年）文字相似度约{:.0}%，可能内容雷同",
            names[older],
            year(ro).map_or("?".to_string(), |y| y.to_string()),
            sim * 100.0
        );
        out.push((newer, Finding::new("D15", gongkai_model::Severity::Warning, msg).at(rn.table3)));
    }
    out
}
