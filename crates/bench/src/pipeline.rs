//! The whole pipeline as users run it: `gongkai check DIR` and `gongkai audit DIR --out X`
//! in a child process over files on disk, with every cross-report check; beside it the same
//! documents parsed and checked in memory (no IO, no cross-report checks, no output), and the
//! time it takes just to read the bytes. CPU seconds and peak RSS come from GNU time.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

/// What a child process cost.
pub struct Run {
    pub wall: f64,
    pub cpu: f64,
    pub max_rss_kb: u64,
    pub code: Option<i32>,
}

/// GNU time, which reports a child's CPU seconds and peak RSS (the workspace forbids the
/// `unsafe` that `wait4` would need).
const TIME: &str = "/usr/bin/time";

/// Run `program args` to completion, through GNU time when it is installed (CPU seconds and
/// peak RSS; without it they are shown as unknown, and a line says so).
fn measure(program: &Path, args: &[&std::ffi::OsStr]) -> Result<Run> {
    let report = std::env::temp_dir().join(format!("gongkai-bench-time-{}", std::process::id()));
    let timed = Path::new(TIME).is_file();
    let mut cmd = if timed {
        let mut c = Command::new(TIME);
        c.args(["-f", "%e %U %S %M", "-o"]).arg(&report).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    let t = Instant::now();
    let status = cmd.status().with_context(|| format!("无法启动“{}”", program.display()))?;
    let wall = t.elapsed().as_secs_f64();
    let (mut cpu, mut max_rss_kb) = (f64::NAN, 0);
    if timed {
        let text = std::fs::read_to_string(&report).context("无法读取 /usr/bin/time 的结果")?;
        let _ = std::fs::remove_file(&report);
        // The last line (a child killed by a signal adds a line before it).
        let v: Vec<f64> = text.lines().last().unwrap_or("").split_whitespace().filter_map(|x| x.parse().ok()).collect();
        if let [_, user, sys, rss] = v[..] {
            cpu = user + sys;
            max_rss_kb = rss as u64;
        }
    } else {
        eprintln!("gongkai-bench: 未找到 {TIME}，CPU 秒与峰值内存未测量");
    }
    Ok(Run { wall, cpu, max_rss_kb, code: status.code() })
}

/// The report files under `dir` (sorted), as `gongkai check` reads them.
fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("无法读取目录“{}”", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                matches!(x.to_ascii_lowercase().as_str(), "txt" | "md" | "html" | "htm" | "shtml" | "docx" | "xlsx")
            }) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn line(what: &str, n: usize, mb: f64, run: &Run) {
    println!(
        "{what:<28} {n:>8} 份  墙钟 {:>7.2} s  {:>8.0} 份/s  {:>7.1} MB/s  CPU {:>7.2} s（{:>7.0} 份/CPU秒）  峰值内存 {:>7.1} MB  退出码 {}",
        run.wall,
        n as f64 / run.wall,
        mb / run.wall,
        run.cpu,
        n as f64 / run.cpu,
        run.max_rss_kb as f64 / 1024.0,
        run.code.map_or("（信号）".to_string(), |c| c.to_string())
    );
}

pub fn run(gongkai: &Path, dir: &Path, in_memory: bool) -> Result<()> {
    let list = files(dir)?;
    if list.is_empty() {
        bail!("“{}”中没有报告文件", dir.display());
    }
    let n = list.len();
    let threads = rayon::current_num_threads();
    // Just reading the bytes (in parallel, as check does; the page cache is warm after this).
    let read = |list: &[PathBuf]| -> Result<(usize, f64)> {
        let t = Instant::now();
        let bytes = list.par_iter().map(|p| std::fs::read(p).map(|b| b.len())).sum::<std::io::Result<usize>>()?;
        Ok((bytes, t.elapsed().as_secs_f64()))
    };
    let _ = read(&list)?;
    let (bytes, read_secs) = read(&list)?;
    let mb = bytes as f64 / 1e6;
    println!("gongkai-bench pipeline：{}，{n} 个文件，{mb:.1} MB，{threads} 个线程", dir.display());
    println!(
        "{:<28} {n:>8} 份  墙钟 {read_secs:>7.2} s  {:>8.0} 份/s  {:>7.1} MB/s",
        "只读文件（参照）",
        n as f64 / read_secs,
        mb / read_secs
    );
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let check = measure(gongkai, &[os("check"), os("--no-progress"), os("--format"), os("json"), dir.as_os_str()])?;
    line("gongkai check DIR --format json", n, mb, &check);
    let out = std::env::temp_dir().join(format!("gongkai-bench-audit-{}.csv", std::process::id()));
    let audit = measure(gongkai, &[os("audit"), dir.as_os_str(), os("--out"), out.as_os_str()])?;
    let _ = std::fs::remove_file(&out);
    line("gongkai audit DIR --out X.csv", n, mb, &audit);
    println!("check 与只读文件之比：{:.1} 倍（墙钟）", check.wall / read_secs);
    if in_memory {
        // The same documents in memory: gongkai_ingest::check only (parse + single-report rules).
        let docs: Vec<(String, Vec<u8>)> =
            list.iter().map(|p| Ok((p.display().to_string(), std::fs::read(p)?))).collect::<std::io::Result<_>>()?;
        let work = |(name, b): &(String, Vec<u8>)| {
            gongkai_ingest::check(b, Some(name)).map_or(0, |c| c.findings.len() + c.parsed.report.table3.len())
        };
        let t = Instant::now();
        let sink: usize = docs.par_iter().map(work).sum();
        let secs = t.elapsed().as_secs_f64();
        std::hint::black_box(sink);
        println!(
            "{:<28} {n:>8} 份  墙钟 {secs:>7.2} s  {:>8.0} 份/s  {:>7.1} MB/s（内存中解析+检查，{threads} 个线程）",
            "内存中（同一批文件）",
            n as f64 / secs,
            mb / secs
        );
        println!("check DIR 与内存中之比：{:.2} 倍（墙钟）", check.wall / secs);
    }
    Ok(())
}
