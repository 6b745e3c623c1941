//! The documents of the benchmark folders.

use std::path::Path;

use anyhow::{Context, Result};
use gongkai_model::{FormatVersion, Report};
use gongkai_render::TEXT_SHAPES;
use gongkai_synth::{SynthOptions, report};

/// The corpus's text, Markdown and HTML files (sorted by path), as (flattened name, bytes).
pub fn corpus_sources(root: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .with_context(|| format!("无法读取目录“{}”", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
            let stem = p.file_stem().and_then(|x| x.to_str()).unwrap_or("");
            if !matches!(ext, "txt" | "md" | "html") || stem.eq_ignore_ascii_case("readme") {
                continue;
            }
            let rel = p.strip_prefix(root).unwrap_or(&p).display().to_string().replace(['/', '\\'], "-");
            let data = std::fs::read(&p).with_context(|| format!("无法读取“{}”", p.display()))?;
            out.push((rel, data));
        }
    }
    out.sort();
    Ok(out)
}

/// Generated report number `i` (every fifth in the 2019 format), its prose grown until its
/// rendering reaches about `size` bytes; with the rendering.
pub fn sized_report(i: usize, size: usize, render: impl Fn(&Report) -> String) -> (Report, String) {
    let format = if i % 5 == 4 { FormatVersion::F2019 } else { FormatVersion::F2021 };
    let mut target = size / 2;
    loop {
        let r = report(i as u64, &SynthOptions { format, target_bytes: target });
        let doc = render(&r);
        if doc.len() >= size * 9 / 10 || target > size * 4 {
            return (r, doc);
        }
        target = target * 3 / 2 + 256;
    }
}

/// Generated document `i`: the four text shapes and HTML in turn; (extension, document).
pub fn generated(i: usize, size: usize) -> (&'static str, String) {
    let k = i % (TEXT_SHAPES.len() + 1);
    if k == TEXT_SHAPES.len() {
        ("html", sized_report(i, size, gongkai_render::html).1)
    } else {
        ("txt", sized_report(i, size, |r| gongkai_render::text(r, TEXT_SHAPES[k])).1)
    }
}
