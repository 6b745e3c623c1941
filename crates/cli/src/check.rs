//! `gongkai check` and `gongkai parse`: arguments in, the batch use case
//! (`gongkai_app::batch::check`) run, its results printed.

use std::io::Write;

use anyhow::Result;
use gongkai_app::batch::check::{CheckCommand, CheckFormat, check, check_one};
use gongkai_app::batch::files::{self, Input, Skipped};
use gongkai_model::Finding;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::diag::{self, Style};
use crate::{OutFormat, ParseFormat};

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

/// Name every skipped entry on stderr (for commands whose stdout is data) and say whether a
/// report may have been lost (`true`: the caller exits 2).
pub fn report_skipped(skipped: &[Skipped]) -> bool {
    for k in skipped {
        eprintln!("gongkai: 跳过 {}：{}", crate::safe::esc(&k.path.display().to_string()), k.reason);
    }
    if !skipped.is_empty() {
        eprintln!("gongkai: 共跳过 {} 个条目", skipped.len());
    }
    skipped.iter().any(|k| k.lost)
}

pub fn run(paths: &[String], format: OutFormat, progress: bool, errors_only: bool) -> Result<u8> {
    let (inputs, skipped) = files::collect(paths)?;
    let style = Style { color: crate::ui::color_stdout() && format == OutFormat::Text };
    let bar = progress_bar(progress, inputs.len());
    let cmd = CheckCommand {
        inputs: &inputs,
        format: match format {
            OutFormat::Text => CheckFormat::Text,
            OutFormat::Json => CheckFormat::Json,
            OutFormat::Csv => CheckFormat::Csv,
        },
        errors_only,
    };
    let text = |f: &Finding, name: &str, source: &str, index: &gongkai_model::doc::LineIndex| {
        diag::render(f, name, source, index, style)
    };
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    let result = check(&cmd, &text, &tick, out);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let (sum, mut w) = result?;
    // Checks between reports (E5, E6 across consecutive years of one organ; D15 copied text;
    // B1/B2 the same file or report twice).
    let cross = &sum.cross;
    if !cross.is_empty() {
        match format {
            OutFormat::Text => {
                writeln!(w, "跨年度检查与雷同检查（同一机关相邻年度的报告；各报告之间的文字；重复的文件）：")?;
                for (name, f) in cross {
                    let loc = f.location.map_or(String::new(), |l| format!(":{}:{}", l.line, l.col));
                    writeln!(w, "警告[{}]: {}\n  --> {name}{loc}\n", f.rule, f.message)?;
                }
            }
            OutFormat::Csv => {
                for (name, f) in cross {
                    w.write_all(gongkai_app::batch::check::csv_row(name, f).as_bytes())?;
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
    let mut summary = format!(
        "检查完成：{} 份报告，其中 {} 份有错误，{} 份无法读取或不是年度报告；错误 {} 个，警告 {} 个，提示 {} 个",
        sum.reports, sum.with_errors, sum.failed, sum.errors, sum.warnings, sum.infos
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
    if !sum.by_rule.is_empty() {
        let parts: Vec<String> = sum.by_rule.iter().map(|(r, n)| format!("{r}×{n}")).collect();
        summary.push_str(&format!("\n按规则：{}", parts.join("  ")));
    }
    if format == OutFormat::Text {
        writeln!(w, "{summary}")?;
        w.flush()?;
    } else {
        eprintln!("{summary}");
    }
    // A folder that could not be read may hold reports: like an unreadable report, exit 2.
    Ok(sum.exit_code(skipped.iter().any(|k| k.lost)))
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
