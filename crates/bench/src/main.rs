//! `gongkai-bench`: benchmarks kept out of the clerks' binary.
//!
//! * `gongkai-bench realmix --from ../shared/corpus --n 10000 --out DIR`: the real reports
//!   (text, Markdown, HTML; PDFs left out, as they time `pdftotext`) copied round-robin, a
//!   complete report six times for each partial opening, with their digits changed (`gongkai_synth::vary`), so no cache helps;
//! * `gongkai-bench gen --n 100000 --size 3000 --out DIR`: generated reports in the four text
//!   shapes and HTML.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use rayon::prelude::*;

mod folders;

#[derive(Parser)]
#[command(name = "gongkai-bench", about = "gongkai 性能测试（不随办事人员使用的 gongkai 程序发布）")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// 真实报告混合目录：语料库中的文本、Markdown、HTML 报告按顺序复制，数字逐份改变
    Realmix {
        /// 语料库目录（递归读取 .txt .md .html）
        #[arg(long)]
        from: PathBuf,
        /// 文件份数
        #[arg(long, default_value_t = 10_000)]
        n: usize,
        /// 输出目录（须为空或不存在）
        #[arg(long)]
        out: PathBuf,
    },
    /// 生成报告目录：四种文本形态与 HTML 轮流
    Gen {
        #[arg(long, default_value_t = 10_000)]
        n: usize,
        /// 每份报告的目标大小（字节）
        #[arg(long, default_value_t = 3_000)]
        size: usize,
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> std::process::ExitCode {
    let r = match Cli::parse().cmd {
        Cmd::Realmix { from, n, out } => realmix(&from, n, &out),
        Cmd::Gen { n, size, out } => gen_folder(n, size, &out),
    };
    match r {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gongkai-bench: 错误：{e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn fresh_dir(out: &Path) -> Result<()> {
    if out.exists()
        && std::fs::read_dir(out).with_context(|| format!("无法读取目录“{}”", out.display()))?.next().is_some()
    {
        bail!("输出目录“{}”不是空目录", out.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("无法创建目录“{}”", out.display()))
}

fn realmix(from: &Path, n: usize, out: &Path) -> Result<()> {
    let sources = folders::corpus_sources(from)?;
    if sources.is_empty() {
        bail!("“{}”中没有 .txt、.md 或 .html 报告", from.display());
    }
    fresh_dir(out)?;
    // A complete report weighs six times a partial opening (`partial/`), so that most of the
    // bytes are whole reports, as in a real folder.
    let slots: Vec<&(String, Vec<u8>)> =
        sources.iter().flat_map(|s| std::iter::repeat_n(s, if s.0.starts_with("partial") { 1 } else { 6 })).collect();
    let bytes: usize = (0..n)
        .into_par_iter()
        .map(|i| -> Result<usize> {
            let (name, data) = slots[i % slots.len()];
            let copy = gongkai_synth::vary::vary_digits(data, i as u64);
            let path = out.join(format!("{i:06}-{name}"));
            std::fs::write(&path, &copy).with_context(|| format!("无法写入“{}”", path.display()))?;
            Ok(copy.len())
        })
        .sum::<Result<usize>>()?;
    println!("已写入 {n} 个文件（{} 份来源），{:.1} MB：{}", sources.len(), bytes as f64 / 1e6, out.display());
    Ok(())
}

fn gen_folder(n: usize, size: usize, out: &Path) -> Result<()> {
    fresh_dir(out)?;
    let bytes: usize = (0..n)
        .into_par_iter()
        .map(|i| -> Result<usize> {
            let (ext, doc) = folders::generated(i, size);
            let path = out.join(format!("{i:07}.{ext}"));
            std::fs::write(&path, &doc).with_context(|| format!("无法写入“{}”", path.display()))?;
            Ok(doc.len())
        })
        .sum::<Result<usize>>()?;
    println!("已写入 {n} 份生成的报告，{:.1} MB：{}", bytes as f64 / 1e6, out.display());
    Ok(())
}
