//! Collecting input files and reading them with a size bound (shared by every command that
//! reads reports: check, parse, audit, compile, aggregate).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

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

/// An entry of a walked directory that was not read, with the reason (in Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: &'static str,
    /// Whether a report may have been lost with it (an unreadable folder, a broken link), as
    /// opposed to an entry that is not a report (another file type, a hidden file, a link to
    /// something already read).
    pub lost: bool,
}

/// Identity of a file or folder, to read each once however many links lead to it.
#[cfg(unix)]
type Key = (u64, u64);
#[cfg(not(unix))]
type Key = PathBuf;

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata, _path: &Path) -> Key {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata, path: &Path) -> Key {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Expand the command-line paths: files as given, directories recursively at any depth
/// (sorted, depth first). Links are followed, to files and to folders; a folder or file
/// reached a second time (a link loop, or two links to one place) is read once. Only
/// [`EXTENSIONS`] are read. Everything else is returned in the skipped list with its reason:
/// hidden entries, other file types, pipes, sockets and devices, broken links, unreadable
/// folders.
pub fn collect(paths: &[String]) -> Result<(Vec<Input>, Vec<Skipped>)> {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut seen: std::collections::HashSet<Key> = std::collections::HashSet::new();
    for p in paths {
        if p == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let path = Path::new(p);
        let meta = std::fs::metadata(path).with_context(|| format!("无法访问“{p}”"))?;
        if meta.is_dir() {
            seen.insert(identity(&meta, path));
            walk(path, &mut out, &mut skipped, &mut seen);
        } else {
            out.push(Input::File(path.to_path_buf()));
        }
    }
    Ok((out, skipped))
}

fn walk(root: &Path, out: &mut Vec<Input>, skipped: &mut Vec<Skipped>, seen: &mut std::collections::HashSet<Key>) {
    let skip = |skipped: &mut Vec<Skipped>, path: PathBuf, reason: &'static str, lost: bool| {
        skipped.push(Skipped { path, reason, lost })
    };
    // Depth first without recursion: a stack of the remaining sorted entries per open folder,
    // each with its own (not its link target's) metadata, read for a whole folder at once on
    // the worker threads (a folder of 10,000 reports: 10,000 `stat` calls).
    type Entries = std::vec::IntoIter<(PathBuf, Option<std::fs::Metadata>)>;
    let mut stack: Vec<Entries> = Vec::new();
    let list = |dir: &Path| -> std::io::Result<Entries> {
        let mut entries = Vec::new();
        for e in std::fs::read_dir(dir)? {
            entries.push(e?.path());
        }
        entries.sort();
        Ok(entries
            .into_par_iter()
            .map(|path| {
                let meta = std::fs::symlink_metadata(&path).ok();
                (path, meta)
            })
            .collect::<Vec<_>>()
            .into_iter())
    };
    match list(root) {
        Ok(v) => stack.push(v),
        Err(_) => skip(skipped, root.to_path_buf(), "无法读取此目录（权限不足或已损坏）", true),
    }
    while let Some(top) = stack.last_mut() {
        let Some((path, link_meta)) = top.next() else {
            stack.pop();
            continue;
        };
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            skip(skipped, path, "隐藏的文件或目录（名称以“.”开头）", false);
            continue;
        }
        let Some(link_meta) = link_meta else {
            skip(skipped, path, "无法读取此条目的信息", true);
            continue;
        };
        // Follow links: the target decides.
        let meta = if link_meta.file_type().is_symlink() {
            match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(_) => {
                    skip(skipped, path, "符号链接指向的目标不存在或无法访问", true);
                    continue;
                }
            }
        } else {
            link_meta
        };
        if meta.is_dir() {
            if !seen.insert(identity(&meta, &path)) {
                skip(skipped, path, "链接指向已读过的目录（循环或重复），未重复读取", false);
                continue;
            }
            match list(&path) {
                Ok(v) => stack.push(v),
                Err(_) => skip(skipped, path, "无法读取此目录（权限不足或已损坏）", true),
            }
        } else if meta.is_file() {
            let ext = path.extension().and_then(|x| x.to_str()).map(str::to_ascii_lowercase);
            if !ext.as_deref().is_some_and(|x| EXTENSIONS.contains(&x)) {
                skip(skipped, path, "不是支持的报告格式（扩展名）", false);
            } else if !seen.insert(identity(&meta, &path)) {
                skip(skipped, path, "链接指向已读过的文件，未重复读取", false);
            } else {
                out.push(Input::File(path));
            }
        } else {
            skip(skipped, path, "不是普通文件（管道、套接字或设备）", false);
        }
    }
}

/// Read at most `limit + 1` bytes so a huge file cannot exhaust memory; the parser cuts
/// at `limit` and says so. The buffer is handed on to `gongkai_ingest` as it is.
pub fn read(input: &Input, limit: usize) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let cap = limit as u64 + 1;
    match input {
        Input::Stdin => {
            std::io::stdin().lock().take(cap).read_to_end(&mut buf).context("无法读取标准输入")?;
        }
        Input::File(p) => {
            let f = std::fs::File::open(p).with_context(|| format!("无法打开“{}”", p.display()))?;
            // Sized from the file's length: one allocation, no regrowth and copy while reading.
            buf.reserve_exact(f.metadata().map_or(0, |m| m.len()).min(cap) as usize);
            f.take(cap).read_to_end(&mut buf).with_context(|| format!("无法读取“{}”", p.display()))?;
        }
    }
    Ok(buf)
}
