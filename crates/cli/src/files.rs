//! Collecting input files and reading them with a size bound.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Extensions read when walking a directory.
pub const EXTENSIONS: &[&str] =
    &["txt", "md", "html", "htm", "shtml", "xhtml", "text", "pdf", "docx", "docm", "xlsx", "xlsm"];

/// An input: a file path or standard input.
#[derive(Debug, Clone)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// Expand the command-line paths: files as given, directories recursively (sorted, hidden
/// entries skipped, only [`EXTENSIONS`]). Returns the inputs and the number of files skipped.
pub fn collect(paths: &[String]) -> Result<(Vec<Input>, usize)> {
    let mut out = Vec::new();
    let mut skipped = 0;
    for p in paths {
        if p == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let path = Path::new(p);
        let meta = std::fs::metadata(path).with_context(|| format!("无法访问“{p}”"))?;
        if meta.is_dir() {
            walk(path, &mut out, &mut skipped, 0)?;
        } else {
            out.push(Input::File(path.to_path_buf()));
        }
    }
    Ok((out, skipped))
}

fn walk(dir: &Path, out: &mut Vec<Input>, skipped: &mut usize, depth: usize) -> Result<()> {
    if depth > 64 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("无法读取目录“{}”", dir.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, out, skipped, depth + 1)?;
        } else if ft.is_file() {
            let ext = path.extension().and_then(|x| x.to_str()).map(str::to_ascii_lowercase);
            if ext.as_deref().is_some_and(|x| EXTENSIONS.contains(&x)) {
                out.push(Input::File(path));
            } else {
                *skipped += 1;
            }
        }
    }
    Ok(())
}

/// Read at most `limit + 1` bytes so a huge file cannot exhaust memory; the parser cuts
/// at `limit` and says so.
pub fn read(input: &Input, limit: usize) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let cap = limit as u64 + 1;
    match input {
        Input::Stdin => {
            std::io::stdin().lock().take(cap).read_to_end(&mut buf).context("无法读取标准输入")?;
        }
        Input::File(p) => {
            let f = std::fs::File::open(p).with_context(|| format!("无法打开“{}”", p.display()))?;
            f.take(cap).read_to_end(&mut buf).with_context(|| format!("无法读取“{}”", p.display()))?;
        }
    }
    Ok(buf)
}
