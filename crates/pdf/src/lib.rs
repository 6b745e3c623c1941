//! PDF text through poppler's `pdftotext -layout` (Debian package `poppler-utils`).
//!
//! The PDF is never parsed in-process: a PDF library that panics or loops on a hostile file
//! (Chinese CMaps are a known trouble spot) would take the whole batch down. The child process
//! gets the file, a time limit and an output cap; its layout text then goes through the normal
//! text front end, whose line-per-row reading handles `-layout` output. Provenance of values
//! read from a PDF points into this extracted text.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Largest text accepted from pdftotext.
pub const MAX_TEXT: usize = 16 * 1024 * 1024;
/// Time limit for one PDF.
pub const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("未找到 pdftotext：请安装 poppler-utils（Debian/Ubuntu：apt-get install poppler-utils）")]
    Missing,
    #[error("pdftotext 处理超时（超过{0}秒），文件可能已损坏")]
    Timeout(u64),
    #[error("pdftotext 无法读取此PDF（退出码{code}）：{stderr}")]
    Failed { code: i32, stderr: String },
    #[error("PDF 文字层为空：可能是扫描件，需要先做文字识别（OCR）")]
    NoText,
    #[error("读写临时文件失败：{0}")]
    Io(#[from] std::io::Error),
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Removes the temporary copy however the function returns.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Whether `pdftotext` can be run on this machine.
pub fn available() -> bool {
    Command::new("pdftotext").arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// Extract the text layer of a PDF with its layout (columns kept by spaces).
pub fn pdf_to_text(pdf: &[u8]) -> Result<String, PdfError> {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("gongkai-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, pdf)?;
    let tmp = TempFile(path);
    let mut child = match Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-q"])
        .arg(&tmp.0)
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(PdfError::Missing),
        Err(e) => return Err(e.into()),
    };
    // Read output on threads so a full pipe cannot block the child; cap what is kept.
    let out = child.stdout.take().map(|s| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = s.take(MAX_TEXT as u64).read_to_end(&mut buf);
            buf
        })
    });
    let err = child.stderr.take().map(|s| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = s.take(64 * 1024).read_to_end(&mut buf);
            buf
        })
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break st;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError::Timeout(TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let stderr = err.and_then(|h| h.join().ok()).unwrap_or_default();
    if !status.success() {
        return Err(PdfError::Failed {
            code: status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&stderr).trim().chars().take(200).collect(),
        });
    }
    let text = String::from_utf8_lossy(&stdout).into_owned();
    if text.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}').is_empty() {
        return Err(PdfError::NoText);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pdf_is_a_clear_error() {
        if !available() {
            eprintln!("skipped: pdftotext not installed");
            return;
        }
        match pdf_to_text(b"%PDF-1.4\n garbage \n%%EOF") {
            Err(PdfError::Failed { .. }) | Err(PdfError::NoText) => {}
            other => panic!("{other:?}"),
        }
    }
}
