//! `gongkai-bench`: benchmarks kept out of the clerks' binary.
//!
//! * `gongkai-bench realmix --from ../shared/corpus --n 10000 --out DIR`: the real reports
//!   (text, Markdown, HTML; PDFs left out, as they time `pdftotext`) copied round-robin, a
//!   complete report six times for each partial opening, with their digits changed (`gongkai_synth::vary`), so no cache helps;
//! * `gongkai-bench gen --n 100000 --size 3000 --out DIR`: generated reports in the four text
//!   shapes and HTML;
//! * `gongkai-bench mem [--kind text|html|crawl|docx|xlsx|similarity|calendar|compile|…]`: the
//!   in-memory benchmarks that were `gongkai bench` (parse+check throughput and the others);
//! * `gongkai-bench pipeline --gongkai target/release/gongkai DIR`: the whole pipeline as users
//!   run it (`check DIR`, `audit DIR --out X`, in a child process: wall clock, CPU seconds, peak
//!   RSS), beside just reading the bytes and the same documents parsed and checked in memory;
//! * `gongkai-bench store --db /tmp/bench.db [--rows 1000000] [--kind store-load|due-list|year]`:
//!   the register benchmark (formerly `gongkai store-bench`), which also fills the register of
//!   the web load test (`crates/web/tests/load/`); `--features postgres` for a `postgres://` URL.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use rayon::prelude::*;

mod calendar;
mod compile;
mod folders;
mod mem;
mod pipeline;
mod store;

// The same allocator as the `gongkai` binary, so the in-memory figures compare.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// 整个流程：磁盘上的文件 → gongkai check DIR、gongkai audit DIR（子进程：墙钟、CPU 秒、峰值内存），并与只读文件、内存中解析+检查对比
    Pipeline {
        /// 要测量的 gongkai 程序
        #[arg(long, default_value = "target/release/gongkai")]
        gongkai: PathBuf,
        /// 报告目录
        dir: PathBuf,
        /// 不测内存中的解析+检查（大目录时省内存）
        #[arg(long)]
        no_in_memory: bool,
    },
    /// 内存中的性能测试（原 gongkai bench）：在生成的报告上测量解析+检查的速度（报告/秒、MB/秒、峰值内存）
    Mem {
        /// 报告份数
        #[arg(long, default_value_t = 2000)]
        reports: usize,
        /// 每份报告的目标大小（字节）
        #[arg(long, default_value_t = 10_000)]
        size: usize,
        /// 输入类型（可重复）
        #[arg(long, value_enum)]
        kind: Vec<mem::BenchKind>,
        /// --kind audit 所测量的 gongkai 程序
        #[arg(long, default_value = "target/release/gongkai")]
        gongkai: PathBuf,
    },
    /// 登记簿性能测试（原 gongkai store-bench）：批量载入生成的申请，测量到期查询和年度查询（写入新数据库）
    Store(store::BenchArgs),
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
        Cmd::Store(args) => store::run(&args),
        Cmd::Pipeline { gongkai, dir, no_in_memory } => pipeline::run(&gongkai, &dir, !no_in_memory),
        Cmd::Mem { reports, size, kind, gongkai } => {
            let kinds = if kind.is_empty() { vec![mem::BenchKind::Text, mem::BenchKind::Html] } else { kind };
            mem::run(reports, &kinds, size, &gongkai).map(|_| ())
        }
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
