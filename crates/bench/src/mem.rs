//! `gongkai-bench mem`: parse + check throughput on generated reports in memory (the hot path
//! of `gongkai check`), and the other in-memory benchmarks. Reports are generated first, then
//! timed; memory is the process peak (VmHWM) read from /proc. (Moved here from the clerks'
//! binary, where it was `gongkai bench`.)

use std::time::Instant;

use anyhow::Result;
use gongkai_model::{FormatVersion, Report};

use crate::folders::sized_report;
use gongkai_parse::{Kind, parse_str};
use gongkai_render::TEXT_SHAPES;
use gongkai_synth::{SynthOptions, report};
use rayon::prelude::*;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchKind {
    Text,
    Html,
    /// crawler exports: metadata header, chrome, the body on one line with table cells run together
    Crawl,
    /// ns per working-day calendar operation
    Calendar,
    /// copied-text (D15) detection time as the collection grows
    Similarity,
    /// `gongkai check` and `gongkai audit` over a folder of generated text, HTML, DOCX and XLSX files (end to end, with IO, in a child process)
    Audit,
    /// parse+check of generated DOCX files
    Docx,
    /// parse+check of generated XLSX files
    Xlsx,
    /// writing reports as DOCX (and, for comparison, as HTML)
    RenderDocx,
    /// writing reports as XLSX
    RenderXlsx,
    /// compiling reports from in-memory register records (one organ; a region of 1,000,000 applications)
    Compile,
}

fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Generate `n` documents of about `size` bytes.
pub fn corpus(n: usize, kind: BenchKind, size: usize) -> Vec<String> {
    (0..n)
        .into_par_iter()
        .map(|i| {
            sized_report(i, size, |r| match kind {
                BenchKind::Html => gongkai_render::html(r),
                BenchKind::Crawl => gongkai_synth::crawl::crawl_text(r, i as u64).0,
                _ => gongkai_render::text(r, TEXT_SHAPES[i % TEXT_SHAPES.len()]),
            })
            .1
        })
        .collect()
}

/// The measured unit: parse one document and check the report. Kept out of line so that
/// profilers can attribute to it exactly (the release build inlines across crates).
#[inline(never)]
fn parse_and_check(d: &str, k: Kind) -> usize {
    let p = parse_str(d, k);
    let f = gongkai_rules::check(&p.report);
    p.report.table3.len() + f.len()
}

pub fn run(n: usize, kinds: &[BenchKind], size: usize, gongkai: &std::path::Path) -> Result<u8> {
    println!("gongkai-bench mem：解析+检查，{n} 份生成的报告，目标大小约 {size} 字节");
    println!(
        "{:<6} {:>10} {:>12} {:>10} {:>14} {:>12}",
        "kind", "reports", "avg bytes", "threads", "reports/s", "MB/s"
    );
    for kind in kinds {
        if *kind == BenchKind::Calendar {
            crate::calendar::bench();
            continue;
        }
        if *kind == BenchKind::Similarity {
            similarity_bench();
            continue;
        }
        if *kind == BenchKind::Compile {
            crate::compile::run()?;
            continue;
        }
        if *kind == BenchKind::Audit {
            audit_bench(n, size, gongkai)?;
            continue;
        }
        if matches!(kind, BenchKind::Docx | BenchKind::Xlsx | BenchKind::RenderDocx | BenchKind::RenderXlsx) {
            office_bench(n, *kind, size);
            continue;
        }
        let docs = corpus(n, *kind, size);
        let bytes: usize = docs.iter().map(String::len).sum();
        let k = if *kind == BenchKind::Html { Kind::Html } else { Kind::Text };
        let work = |d: &String| parse_and_check(d, k);
        // Warm-up, then one core, then all cores.
        let _ = docs.iter().take(50).map(work).sum::<usize>();
        let repeat: usize = std::env::var("GONGKAI_BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
        // Each pass is timed on its own. This machine is a shared VM whose speed varies by tens
        // of percent from second to second: the median pass is the figure reported, and the
        // fastest pass is printed beside it as the closest to the code's intrinsic cost.
        let mut sink = 0;
        let mut passes: Vec<f64> = (0..repeat)
            .map(|_| {
                let t = Instant::now();
                sink += docs.iter().map(work).sum::<usize>();
                t.elapsed().as_secs_f64()
            })
            .collect();
        passes.sort_by(f64::total_cmp);
        let single = passes[passes.len() / 2];
        let best = passes[0];
        let t = Instant::now();
        sink += docs.par_iter().map(work).sum::<usize>();
        let multi = t.elapsed().as_secs_f64();
        let mb = bytes as f64 / 1e6;
        let name = match kind {
            BenchKind::Html => "html",
            BenchKind::Crawl => "crawl",
            _ => "text",
        };
        println!(
            "{name:<6} {n:>10} {:>12} {:>10} {:>14.0} {:>12.1}   (median of {repeat} passes; fastest pass {:.0} reports/s)",
            bytes / n.max(1),
            1,
            n as f64 / single,
            mb / single,
            n as f64 / best
        );
        println!(
            "{name:<6} {n:>10} {:>12} {:>10} {:>14.0} {:>12.1}",
            bytes / n.max(1),
            rayon::current_num_threads(),
            n as f64 / multi,
            mb / multi
        );
        std::hint::black_box(sink);
        if std::env::var_os("GONGKAI_BENCH_PHASES").is_some() {
            // Where the time goes: front end, interpreter, checker.
            let t = Instant::now();
            let docs2: Vec<_> = docs
                .iter()
                .map(|d| match kind {
                    BenchKind::Html => gongkai_parse::html::html_to_doc(d).doc,
                    _ => gongkai_parse::text::text_to_doc(d).doc,
                })
                .collect();
            let front = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let reports: Vec<_> =
                docs2.into_iter().map(|d| gongkai_parse::interpret::interpret(d, &mut Vec::new())).collect();
            let interp = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let nf: usize = reports.iter().map(|r| gongkai_rules::check(r).len()).sum();
            let rules = t.elapsed().as_secs_f64();
            let us = |x: f64| x * 1e6 / n as f64;
            println!(
                "  phases µs/report: front end {:.0}, interpret {:.0}, rules {:.0} ({nf} findings)",
                us(front),
                us(interp),
                us(rules)
            );
        }
    }
    if let Some(kb) = peak_rss_kb() {
        println!("peak RSS (VmHWM, incl. the generated corpus): {:.1} MB", kb as f64 / 1024.0);
    }
    Ok(0)
}

/// D15 detection time for 1k, 10k and 100k generated reports (signatures are computed
/// first, in parallel; the timed part is the LSH candidate search plus verification).
fn similarity_bench() {
    use gongkai_rules::similarity::{signature, similar_pairs};
    let sigs: Vec<_> = (0..100_000u64)
        .into_par_iter()
        .map(|i| signature(&report(i, &SynthOptions { format: FormatVersion::F2021, target_bytes: 2_000 })))
        .collect();
    for n in [1_000usize, 10_000, 100_000] {
        let t = Instant::now();
        let pairs = similar_pairs(&sigs[..n], 0.9);
        println!(
            "D15 LSH over {n:>7} reports: {:>8.1} ms, {} similar pairs",
            t.elapsed().as_secs_f64() * 1e3,
            pairs.len()
        );
    }
}

/// End-to-end `gongkai audit` on `n` generated files in four formats (a quarter each: text,
/// HTML, DOCX, XLSX), written to a temporary folder first; the dataset CSV goes to the same folder.
fn audit_bench(n: usize, size: usize, gongkai: &std::path::Path) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("gongkai-audit-bench-{}", std::process::id()));
    let (plain, office) = (dir.join("text-html"), dir.join("docx-xlsx"));
    std::fs::create_dir_all(&plain)?;
    std::fs::create_dir_all(&office)?;
    let q = n / 4;
    let (mut plain_bytes, mut office_bytes) = (0, 0);
    let text = corpus(q, BenchKind::Text, size);
    for (i, d) in text.iter().enumerate() {
        std::fs::write(plain.join(format!("t{i:06}.txt")), d)?;
        plain_bytes += d.len();
    }
    drop(text);
    let html = corpus(q, BenchKind::Html, size);
    for (i, d) in html.iter().enumerate() {
        std::fs::write(plain.join(format!("h{i:06}.html")), d)?;
        plain_bytes += d.len();
    }
    drop(html);
    let rs = reports(n - 2 * q, size);
    for (i, r) in rs.iter().enumerate() {
        let (name, b) = if i % 2 == 0 {
            (format!("d{i:06}.docx"), gongkai_office::docx(r))
        } else {
            (format!("x{i:06}.xlsx"), gongkai_office::xlsx(r))
        };
        std::fs::write(office.join(name), &b)?;
        office_bytes += b.len();
    }
    drop(rs);
    println!("text+HTML {:.1} MB, DOCX+XLSX {:.1} MB", plain_bytes as f64 / 1e6, office_bytes as f64 / 1e6);
    for folder in [&plain, &dir] {
        crate::pipeline::run(gongkai, folder, false)?;
    }
    if std::env::var_os("GONGKAI_BENCH_KEEP").is_some() {
        println!("生成的文件保留在 {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// Generated reports whose prose makes the HTML rendering about `size` bytes (the same
/// reports the text/HTML benchmarks parse).
fn reports(n: usize, size: usize) -> Vec<Report> {
    (0..n).into_par_iter().map(|i| sized_report(i, size, gongkai_render::html).0).collect()
}

/// Time `work` over `items` on one core and on all cores: (seconds single, seconds multi).
fn time_both<T: Sync>(items: &[T], work: impl Fn(&T) -> usize + Sync) -> (f64, f64) {
    let _ = items.iter().take(20).map(&work).sum::<usize>();
    let t = Instant::now();
    let mut sink = items.iter().map(&work).sum::<usize>();
    let single = t.elapsed().as_secs_f64();
    let t = Instant::now();
    sink += items.par_iter().map(&work).sum::<usize>();
    let multi = t.elapsed().as_secs_f64();
    std::hint::black_box(sink);
    (single, multi)
}

fn print_row(name: &str, n: usize, bytes: usize, threads: usize, secs: f64) {
    println!(
        "{name:<6} {n:>10} {:>12} {threads:>10} {:>14.0} {:>12.1}",
        bytes / n.max(1),
        n as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}

/// A report writer returning the size of what it wrote.
type Writer = fn(&gongkai_model::Report) -> usize;

/// DOCX/XLSX: parse+check of generated files, or rendering reports to them. Bytes are the
/// sizes of the DOCX/XLSX files (compressed).
fn office_bench(n: usize, kind: BenchKind, size: usize) {
    let rs = reports(n, size);
    let threads = rayon::current_num_threads();
    match kind {
        BenchKind::Docx | BenchKind::Xlsx => {
            let (name, files): (&str, Vec<Vec<u8>>) = if kind == BenchKind::Docx {
                ("docx", rs.par_iter().map(gongkai_office::docx).collect())
            } else {
                ("xlsx", rs.par_iter().map(gongkai_office::xlsx).collect())
            };
            let bytes: usize = files.iter().map(Vec::len).sum();
            let (single, multi) = time_both(&files, |f| {
                let p = gongkai_office::parse_bytes(f, None);
                p.report.table3.len() + gongkai_rules::check(&p.report).len()
            });
            print_row(name, n, bytes, 1, single);
            print_row(name, n, bytes, threads, multi);
            if kind == BenchKind::Docx && std::env::var_os("GONGKAI_BENCH_PHASES").is_some() {
                let us = |t: Instant| t.elapsed().as_secs_f64() * 1e6 / n as f64;
                let t = Instant::now();
                let xml: Vec<Vec<u8>> = files
                    .iter()
                    .filter_map(|f| gongkai_office::read_part(f, "word/document.xml").ok().flatten())
                    .collect();
                let unzip = us(t);
                let t = Instant::now();
                let docs: Vec<_> =
                    xml.iter().filter_map(|x| gongkai_office::docx_read::document_to_doc(x).ok()).collect();
                let front = us(t);
                let t = Instant::now();
                let reports: Vec<_> =
                    docs.into_iter().map(|d| gongkai_parse::interpret::interpret(d.doc, &mut Vec::new())).collect();
                let interp = us(t);
                let t = Instant::now();
                let nf: usize = reports.iter().map(|r| gongkai_rules::check(r).len()).sum();
                let rules = us(t);
                let kb = xml.iter().map(Vec::len).sum::<usize>() / n.max(1) / 1024;
                println!(
                    "  phases µs/report: unzip {unzip:.0} (document.xml {kb} KiB), XML→blocks {front:.0}, interpret {interp:.0}, rules {rules:.0} ({nf} findings)"
                );
            }
        }
        _ => {
            let outputs: [(&str, Writer); 3] = [
                ("→docx", |r| gongkai_office::docx(r).len()),
                ("→xlsx", |r| gongkai_office::xlsx(r).len()),
                ("→html", |r| gongkai_render::html(r).len()),
            ];
            for (name, f) in outputs {
                if (kind == BenchKind::RenderDocx && name == "→xlsx")
                    || (kind == BenchKind::RenderXlsx && name != "→xlsx")
                {
                    continue;
                }
                let bytes: usize = rs.iter().take(100).map(f).sum::<usize>() * n / n.clamp(1, 100);
                let (single, multi) = time_both(&rs, f);
                print_row(name, n, bytes, 1, single);
                print_row(name, n, bytes, threads, multi);
            }
        }
    }
}
