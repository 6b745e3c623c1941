//! `gongkai audit PATH... --out FILE.{csv,json,html}`: arguments in, the batch use case
//! (`gongkai_app::batch::audit`) run into the output file, its summary printed.

use anyhow::{Context, Result, bail};
use gongkai_app::batch::audit::{AuditCommand, AuditFormat, Manifest, audit};
use gongkai_app::batch::files;

pub fn run(paths: &[String], out: &str, manifest: Option<&str>) -> Result<u8> {
    let Some(format) = AuditFormat::of_path(out) else {
        bail!("--out 应以 .csv、.json 或 .html 结尾");
    };
    let manifest = match manifest {
        Some(p) => Manifest::read(p)?,
        None => Manifest::default(),
    };
    let (inputs, skipped) = files::collect(paths)?;
    let lost = crate::check::report_skipped(&skipped);
    let file = crate::safe::create_private(std::path::Path::new(out)).with_context(|| format!("无法写入“{out}”"))?;
    let bar = crate::check::progress_bar(true, inputs.len());
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let cmd = AuditCommand { inputs: &inputs, format, manifest: &manifest, out_name: out };
    let result = audit(&cmd, &tick, std::io::BufWriter::with_capacity(1 << 16, file));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let sum = result?;
    let cross: Vec<String> = sum.cross_by_rule.iter().map(|(r, n)| format!("{r} {n} 项")).collect();
    eprintln!(
        "已写入{out}：{} 份报告，其中 {} 份有错误，{} 份无法读取或不是年度报告；跨报告检查：{}{}",
        sum.reports,
        sum.with_errors,
        sum.failed,
        if cross.is_empty() { "未发现问题".to_string() } else { cross.join("、") },
        if !manifest.is_empty() { format!("（清单 {} 行）", manifest.len()) } else { String::new() }
    );
    if inputs.is_empty() {
        eprintln!("gongkai: 没有读到任何报告文件");
    }
    // The same rule as `check`: 2 when something could not be read, 1 when errors were found.
    Ok(sum.exit_code(lost))
}
