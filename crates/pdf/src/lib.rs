//! PDF text through poppler's `pdftotext -layout` (Debian package `poppler-utils`).
//!
//! The PDF is never parsed in-process: a PDF library that panics or loops on a hostile file
//! (Chinese CMaps are a known trouble spot) would take the whole batch down. The child process
//! gets the file, a time limit and an output cap (its whole process group is killed at the
//! deadline, and whatever it leaves running when it exits); its layout text then goes through the normal
//! text front end, whose line-per-row reading handles `-layout` output. Provenance of values
//! read from a PDF points into this extracted text.

use std::ffi::OsStr;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
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
    #[error("pdftotext 输出的文字超过{0}MiB，已停止读取并拒绝此PDF")]
    TooMuchText(usize),
    #[error("PDF 文字层为空：可能是扫描件，需要先做文字识别（OCR）")]
    NoText,
    #[error("读写临时文件失败：{0}")]
    Io(#[from] std::io::Error),
}

impl PdfError {
    /// A stable code for programs and logs (never changes with the wording).
    pub fn code(&self) -> &'static str {
        match self {
            PdfError::Missing => "pdf.missing_pdftotext",
            PdfError::Timeout(_) => "pdf.timeout",
            PdfError::Failed { .. } => "pdf.failed",
            PdfError::TooMuchText(_) => "pdf.too_much_text",
            PdfError::NoText => "pdf.no_text",
            PdfError::Io(_) => "pdf.io",
        }
    }
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
    pdf_to_text_with(pdf, OsStr::new("pdftotext"), TIMEOUT)
}

/// [`pdf_to_text`] with another program and time limit (tests use a fake `pdftotext`).
///
/// The program runs in a process group of its own (unix). The deadline covers everything:
/// the program's exit *and* the end of its output. When the program exits, whatever it left
/// running in its group is killed at once, so a child that kept the output pipe open cannot
/// hold gongkai; at the deadline the whole group is killed. The output is read up to
/// [`MAX_TEXT`] bytes: one byte more kills the group and is an error, never a silent cut.
pub fn pdf_to_text_with(pdf: &[u8], program: &OsStr, timeout: Duration) -> Result<String, PdfError> {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("gongkai-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, pdf)?;
    let tmp = TempFile(path);
    let mut cmd = Command::new(program);
    cmd.args(["-layout", "-enc", "UTF-8", "-q"])
        .arg(&tmp.0)
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(PdfError::Missing),
        Err(e) => return Err(e.into()),
    };
    let group = Group::of(&child);
    // Read output on threads so a full pipe cannot block the child; they report when done.
    let (tx, rx) = mpsc::channel::<(u8, Vec<u8>)>();
    for (tag, pipe, cap) in [
        (0u8, child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>), MAX_TEXT as u64 + 1),
        (1u8, child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>), 64 * 1024),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(cap).read_to_end(&mut buf);
            }
            let _ = tx.send((tag, buf));
        });
    }
    drop(tx);
    let deadline = Instant::now() + timeout;
    let (mut stdout, mut stderr): (Option<Vec<u8>>, Option<Vec<u8>>) = (None, None);
    let mut status = None;
    let timed_out = loop {
        if status.is_none() {
            status = child.try_wait()?;
            if status.is_some() {
                // The program is done: nothing it left behind may keep the pipes open.
                group.kill();
            }
        }
        if status.is_some() && stdout.is_some() && stderr.is_some() {
            break false;
        }
        let now = Instant::now();
        if now >= deadline {
            break true;
        }
        match rx.recv_timeout((deadline - now).min(Duration::from_millis(5))) {
            Ok((0, b)) => {
                if b.len() > MAX_TEXT {
                    group.kill();
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(PdfError::TooMuchText(MAX_TEXT >> 20));
                }
                stdout = Some(b);
            }
            Ok((_, b)) => stderr = Some(b),
            Err(_) => {}
        }
    };
    if timed_out {
        group.kill();
        let _ = child.kill();
        let _ = child.wait();
        return Err(PdfError::Timeout(timeout.as_secs().max(1)));
    }
    let (status, stdout, stderr) = (status.unwrap_or_default(), stdout.unwrap_or_default(), stderr.unwrap_or_default());
    if !status.success() {
        return Err(PdfError::Failed {
            code: status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&stderr).trim().chars().take(200).collect(),
        });
    }
    // Valid UTF-8 (pdftotext's output encoding) becomes the text without a copy.
    let text = String::from_utf8(stdout).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    if text.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}').is_empty() {
        return Err(PdfError::NoText);
    }
    Ok(text)
}

/// The child's process group (unix), killed as a whole.
struct Group(#[cfg(unix)] rustix::process::Pid);

impl Group {
    #[cfg(unix)]
    fn of(child: &std::process::Child) -> Group {
        // process_group(0) made the child the leader of a group with its own id.
        Group(rustix::process::Pid::from_child(child))
    }

    #[cfg(not(unix))]
    fn of(_child: &std::process::Child) -> Group {
        Group()
    }

    /// SIGKILL every process of the group (no-op when it is already empty).
    fn kill(&self) {
        #[cfg(unix)]
        {
            let _ = rustix::process::kill_process_group(self.0, rustix::process::Signal::KILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_stable_and_unique() {
        let codes: Vec<&str> = [
            PdfError::Missing,
            PdfError::Timeout(1),
            PdfError::Failed { code: 1, stderr: String::new() },
            PdfError::TooMuchText(1),
            PdfError::NoText,
            PdfError::Io(std::io::Error::other("x")),
        ]
        .iter()
        .map(PdfError::code)
        .collect();
        assert_eq!(
            codes,
            ["pdf.missing_pdftotext", "pdf.timeout", "pdf.failed", "pdf.too_much_text", "pdf.no_text", "pdf.io"]
        );
    }

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

    /// A fake pdftotext in a temporary folder: a shell script with the given body.
    #[cfg(unix)]
    fn fake(body: &str) -> (tempfile::TempDir, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pdftotext");
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        (dir, p)
    }

    #[cfg(unix)]
    fn alive(pid_file: &std::path::Path) -> bool {
        let pid = std::fs::read_to_string(pid_file).unwrap();
        // A killed process may linger as a zombie for a moment until init reaps it.
        for _ in 0..100 {
            let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
            if stat.is_empty() || stat.contains(") Z ") {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    #[cfg(unix)]
    #[test]
    fn pdftotext_time_limit_kills_the_process_group() {
        // The program exits at once but its child keeps the output pipe open for 5 minutes.
        let (dir, prog) = fake(&format!("echo 第一页文字\nsleep 300 &\necho $! > {}/child\nexit 0", "$(dirname $0)"));
        let start = Instant::now();
        let text = pdf_to_text_with(b"%PDF", prog.as_os_str(), Duration::from_secs(20)).unwrap();
        assert!(text.contains("第一页文字"));
        assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
        assert!(!alive(&dir.path().join("child")), "the child holding the pipe was not killed");

        // The program and its child both hang: the whole group is killed at the deadline.
        let (dir, prog) = fake(&format!("sleep 300 &\necho $! > {}/child\nsleep 300", "$(dirname $0)"));
        let start = Instant::now();
        match pdf_to_text_with(b"%PDF", prog.as_os_str(), Duration::from_secs(1)) {
            Err(PdfError::Timeout(1)) => {}
            other => panic!("{other:?}"),
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
        assert!(!alive(&dir.path().join("child")));
    }

    #[cfg(unix)]
    #[test]
    fn pdftotext_output_is_capped() {
        // Endless output: refused at MAX_TEXT + 1 bytes, not read on forever.
        let (_dir, prog) = fake("yes 一行文字");
        let start = Instant::now();
        match pdf_to_text_with(b"%PDF", prog.as_os_str(), Duration::from_secs(60)) {
            Err(PdfError::TooMuchText(16)) => {}
            other => panic!("{:?}", other.map(|t| t.len())),
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    }
}
