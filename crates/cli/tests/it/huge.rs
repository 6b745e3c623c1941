//! A 1 GiB input (issue 3, hostile inputs): the text path reads at most 16 MiB and says it cut
//! the file; a DOCX that large is refused whole (a ZIP cannot be cut). The process runs under a
//! virtual-memory limit far below the file size, so reading the whole file would fail.

use std::process::Command;

#[test]
fn one_gib_files_are_cut_or_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(
        env!("CARGO_MANIFEST_DIR").to_string() + "/../../examples/示例县科学技术局2024年政府信息公开工作年度报告.md",
    )
    .unwrap();
    let txt = dir.path().join("big.txt");
    let docx = dir.path().join("big.docx");
    // Sparse files: 1 GiB long, a few KB on disk.
    std::fs::write(&txt, &seed).unwrap();
    std::fs::OpenOptions::new().write(true).open(&txt).unwrap().set_len(1 << 30).unwrap();
    std::fs::write(&docx, b"PK\x03\x04").unwrap();
    std::fs::OpenOptions::new().write(true).open(&docx).unwrap().set_len(1 << 30).unwrap();
    // 800 MB of address space: enough for the program, not for a 1 GiB buffer.
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 800000 && exec \"$0\" check --no-progress --format csv \"$1\" \"$2\"")
        .arg(env!("CARGO_BIN_EXE_gongkai"))
        .arg(&txt)
        .arg(&docx)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "one file could not be read: {stderr}");
    assert!(stdout.contains(",P6,") && stdout.contains("只读取前16777216字节"), "{stdout}");
    assert!(
        stdout.contains("文件过大（超过16777216字节），DOCX/XLSX 不能截断读取") || stderr.contains("文件过大"),
        "{stdout}{stderr}"
    );
    // The part that was read is still checked: the example's seeded E2/E3 errors are found.
    assert!(stdout.contains(",E3,"), "{stdout}");
}
