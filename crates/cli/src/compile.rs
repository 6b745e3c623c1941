//! `gongkai compile` (the annual report from register records in JSON) and `gongkai aggregate`
//! (sum published reports into a region table; compare with the government's own report).

use std::io::Write;

use anyhow::{Context, Result, bail};
use gongkai_app::batch::aggregate::{aggregate, load, read_json_text};
use gongkai_app::batch::files::{self, Input};
use gongkai_compile::{Compiled, Options, RecordSet, compare, compile, compile_region};
use gongkai_register::OrganId;

use crate::RenderTo;

/// Subcommand arguments of `gongkai compile`.
#[derive(clap::Args, Debug)]
pub struct CompileArgs {
    /// 台账数据 JSON 文件（organs、applications、catalogue、counts、cases，见 docs/records-json.md）；- 表示标准输入。
    /// 不给出时从登记簿（--db / GONGKAI_DB / 默认位置）读取
    #[arg(long)]
    records: Option<String>,
    /// 机关编号或机关全称
    #[arg(long)]
    organ: String,
    /// 报告年度（2019 年及以后）
    #[arg(long)]
    year: i16,
    /// 汇总该机关及其全部下级机关（本行政区域合计）
    #[arg(long)]
    region: bool,
    /// 落款日期（YYYY-MM-DD）；不给则不写落款
    #[arg(long)]
    signed: Option<String>,
    /// 输出格式（text 为官方表格的文本导出形式）
    #[arg(long, value_enum, default_value_t = RenderTo::Text)]
    to: RenderTo,
    /// 输出文件（默认标准输出）
    #[arg(long)]
    out: Option<String>,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    force: bool,
}

/// Subcommand arguments of `gongkai aggregate`.
#[derive(clap::Args, Debug)]
pub struct AggregateArgs {
    /// 下级机关的报告或目录（文本、Markdown、HTML、PDF，或 gongkai parse/compile 输出的 .json）
    #[arg(required = true)]
    files: Vec<String>,
    /// 本级政府自己的报告：列出与合计不一致的单元格
    #[arg(long)]
    compare: Option<String>,
    /// 输出格式（text 为官方表格的文本导出形式）
    #[arg(long, value_enum, default_value_t = RenderTo::Text)]
    to: RenderTo,
    /// 输出文件（默认标准输出）
    #[arg(long)]
    out: Option<String>,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    force: bool,
}

fn write_out(out: Option<&str>, text: &str, force: bool) -> Result<()> {
    match out {
        Some(p) => crate::safe::write_output(std::path::Path::new(p), text.as_bytes(), force),
        None => {
            let mut o = std::io::stdout().lock();
            // On a terminal, stored text (organ names …) must not act as escape sequences;
            // piped output stays byte for byte.
            let shown = if std::io::IsTerminal::is_terminal(&o) {
                crate::safe::esc_multiline(text)
            } else {
                std::borrow::Cow::Borrowed(text)
            };
            o.write_all(shown.as_bytes()).context("无法写标准输出")
        }
    }
}

fn print_notes(c: &Compiled) {
    for n in &c.notes {
        eprintln!("注：{}", n.message);
    }
}

/// An organ of a records file given by number or by full name (the app's one rule: a name
/// that fits more than one organ is refused).
fn resolve_organ(organs: &[gongkai_register::Organ], spec: &str) -> Result<OrganId> {
    Ok(gongkai_app::pick_organ(organs, spec)?)
}

pub fn run_compile(a: &CompileArgs, db: Option<&str>) -> Result<u8> {
    let signature_date = match &a.signed {
        Some(s) => Some(gongkai_register::validate::date("落款日期", s)?),
        None => None,
    };
    let opts = Options { signature_date };
    let compiled = match &a.records {
        Some(path) => {
            let set: RecordSet = serde_json::from_str(&read_json_text(path)?)
                .with_context(|| format!("“{path}”不是台账数据 JSON（格式见 docs/records-json.md）"))?;
            let organ = resolve_organ(&set.organs, &a.organ)?;
            let recs = set.records();
            if a.region { compile_region(&recs, organ, a.year, &opts) } else { compile(&recs, organ, a.year, &opts) }?
        }
        None => {
            let store = crate::register_cmd::open_read(&crate::register_cmd::db_spec(db))?;
            let mut app = gongkai_app::App::new(&*store, gongkai_app::Principal::local(crate::register_cmd::actor()));
            let organ = app.resolve_organ(&a.organ)?;
            app.compile_report(organ, a.year, a.region, &opts)?
        }
    };
    crate::write_rendered(&crate::render_bytes(&compiled.report, a.to), a.to, a.out.as_deref(), a.force)?;
    print_notes(&compiled);
    let errors = gongkai_rules::check(&compiled.report)
        .into_iter()
        .filter(|f| f.severity == gongkai_model::Severity::Error)
        .count();
    if errors > 0 {
        eprintln!("gongkai: 编制的报告有{errors}个错误（请用 gongkai check 查看）");
        return Ok(1);
    }
    Ok(0)
}

pub fn run_aggregate(a: &AggregateArgs) -> Result<u8> {
    let (inputs, skipped) = files::collect(&a.files)?;
    if crate::check::report_skipped(&skipped) {
        bail!("有目录或链接无法读取（见上），其中可能有报告；汇总不完整，未输出");
    }
    let (summed, n) = aggregate(&inputs)?;
    print_notes(&summed);
    let Some(gov) = &a.compare else {
        crate::write_rendered(&crate::render_bytes(&summed.report, a.to), a.to, a.out.as_deref(), a.force)?;
        return Ok(0);
    };
    let gov_report = load(&Input::File(gov.into()))?;
    let diffs = compare(&summed.report, &gov_report);
    let text = if a.to == RenderTo::Json {
        serde_json::to_string_pretty(&serde_json::json!({ "differences": diffs, "notes": summed.notes }))? + "\n"
    } else if diffs.is_empty() {
        format!("“{gov}”的表格数值与{n}份下级报告的合计一致\n")
    } else {
        let mut s = format!("“{gov}”与{n}份下级报告的合计有{}处不一致：\n", diffs.len());
        for d in &diffs {
            s.push_str(&format!("  {}（{}）：合计 {}，本级报告 {}\n", d.label, d.cell, d.sum, d.reported));
        }
        s
    };
    write_out(a.out.as_deref(), &text, a.force)?;
    Ok(u8::from(!diffs.is_empty()))
}
