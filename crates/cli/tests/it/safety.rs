//! Regression tests of issue 12 ("no record lost, no personal data exposed"), one per item,
//! black-box through the `gongkai` binary.

use std::path::Path;
use std::process::{Command, Output};

fn gk(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("GONGKAI_DB")
        .env("GONGKAI_ACTOR", "王科员")
        .output()
        .unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = gk(db, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fails(db: &Path, args: &[&str]) -> String {
    let out = gk(db, args);
    assert_ne!(out.status.code(), Some(0), "{args:?} should fail: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

/// A register with one organ (id 1).
fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/register.db");
    // An explicit --db into a missing folder is refused (only the default place is created,
    // 0700: crates/cli/tests/it/cli.rs): the folder is made here.
    std::fs::create_dir(dir.path().join("data")).unwrap();
    ok(&db, &["init"]);
    ok(&db, &["organ", "add", "--name", "某县科学技术局", "--code", "113400"]);
    (dir, db)
}

#[test]
fn fee_items_is_bounded_and_instant() {
    let db = Path::new("/nonexistent/unused.db");
    let start = std::time::Instant::now();
    let err = fails(db, &["fee", "--items", "100000000"]);
    assert!(err.contains("超过上限"), "{err}");
    assert!(fails(db, &["fee", "--items", "2", "--already", "18446744073709551615"]).contains("超过上限"));
    assert!(fails(db, &["fee", "--pages", "18446744073709551615"]).contains("超过上限"));
    let out = ok(db, &["fee", "--items", "10000"]);
    assert!(out.contains("合计"), "{out}");
    assert!(start.elapsed() < std::time::Duration::from_secs(10), "{:?}", start.elapsed());
}

/// Write a synthetic ledger as CSV (through the `csv` crate, as a clerk's spreadsheet would)
/// or XLSX (gongkai's own writer).
fn write_ledger(path: &Path, rows: &[Vec<String>]) {
    if path.extension().is_some_and(|e| e == "csv") {
        let mut w = csv::Writer::from_path(path).unwrap();
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
    } else {
        std::fs::write(path, gongkai_office::xlsx_rows("台账", rows)).unwrap();
    }
}

/// Rows in the register of organ 1, counted from an unmasked CSV export (a record per line).
fn count_in_db(db: &Path, dir: &Path) -> usize {
    let out = dir.join("count.csv");
    ok(db, &["ledger", "export", "--organ", "1", "--out", out.to_str().unwrap(), "--unmask"]);
    let mut rd = csv::ReaderBuilder::new().has_headers(true).from_path(&out).unwrap();
    rd.records().inspect(|r| assert!(r.is_ok(), "{r:?}")).count()
}

/// Import `n` synthetic rows as XLSX and as CSV into fresh registers: the count printed equals
/// the count in the database, and equals `n`.
fn import_keeps_every_row(n: usize) {
    let rows = gongkai_synth::ledger::ledger(12, n, Default::default());
    for ext in ["xlsx", "csv"] {
        let (dir, db) = setup();
        let file = dir.path().join(format!("ledger.{ext}"));
        write_ledger(&file, &rows);
        let out = ok(&db, &["ledger", "import", file.to_str().unwrap(), "--organ", "1"]);
        let shown: usize = out
            .trim()
            .strip_prefix("已导入 ")
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{out}"));
        assert_eq!(shown, n, "{ext}: {out}");
        assert_eq!(count_in_db(&db, dir.path()), n, "{ext}");
    }
}

#[test]
fn xlsx_import_keeps_every_row() {
    // Over the old 1,999-row cut; always run.
    import_keeps_every_row(5_000);
}

/// 100,000 rows in XLSX and CSV (the issue's figure). Ignored by default because it takes
/// minutes in a debug build: `cargo test -p gongkai --test safety -- --ignored`.
#[test]
#[ignore]
fn xlsx_import_keeps_every_row_100k() {
    import_keeps_every_row(100_000);
}

#[test]
fn synth_ledger_headers_are_the_layout() {
    assert_eq!(gongkai_synth::ledger::HEADERS, gongkai_register::ledger::HEADERS);
}

#[test]
fn masked_export_reimport_is_refused() {
    let (dir, db) = setup();
    let rows = gongkai_synth::ledger::ledger(5, 20, Default::default());
    let file = dir.path().join("in.csv");
    write_ledger(&file, &rows);
    ok(&db, &["ledger", "import", file.to_str().unwrap(), "--organ", "1"]);
    for ext in ["csv", "xlsx"] {
        let masked = dir.path().join(format!("masked.{ext}"));
        let out = ok(&db, &["ledger", "export", "--organ", "1", "--out", masked.to_str().unwrap()]);
        assert!(out.contains("个人信息已隐去"), "{out}");
        let (_d2, db2) = setup();
        let err = fails(&db2, &["ledger", "import", masked.to_str().unwrap(), "--organ", "1"]);
        assert!(err.contains("隐去个人信息的导出") && err.contains("--unmask"), "{err}");
        assert!(err.contains("未导入任何一行"), "{err}");
        // The unmasked export says so on every row and imports whole.
        let plain = dir.path().join(format!("plain.{ext}"));
        ok(&db, &["ledger", "export", "--organ", "1", "--out", plain.to_str().unwrap(), "--unmask"]);
        assert!(ok(&db2, &["ledger", "import", plain.to_str().unwrap(), "--organ", "1"]).contains("已导入 20 件"));
    }
    let text = std::fs::read_to_string(dir.path().join("masked.csv")).unwrap();
    assert!(text.lines().next().unwrap().ends_with("个人信息"), "{text}");
    assert!(text.lines().skip(1).all(|l| l.ends_with("已隐去")), "{text}");
}

#[test]
fn csv_export_neutralises_formulas() {
    let (dir, db) = setup();
    let rows = gongkai_synth::ledger::ledger(9, 300, gongkai_synth::ledger::LedgerOptions { hostile: true });
    let file = dir.path().join("hostile.xlsx");
    write_ledger(&file, &rows);
    ok(&db, &["ledger", "import", file.to_str().unwrap(), "--organ", "1"]);
    let out = dir.path().join("out.csv");
    ok(&db, &["ledger", "export", "--organ", "1", "--out", out.to_str().unwrap(), "--unmask"]);
    // UTF-8 with a byte order mark, so that Excel on Chinese Windows does not read it as GBK;
    // the import below reads the marked file back.
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF\xE5\x8F\x97"), "no BOM before 受理编号: {:?}", &bytes[..8]);
    let mut rd = csv::ReaderBuilder::new().has_headers(false).from_path(&out).unwrap();
    let mut neutralised = 0;
    for rec in rd.records() {
        for cell in rec.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "formula cell written raw: {cell:?}");
            neutralised += usize::from(cell.starts_with("'="));
        }
    }
    assert!(neutralised > 0, "the hostile ledger has formula cells");
    // Re-imported, the cells are the stored text again (the quote is the spreadsheet's marker).
    let (_d2, db2) = setup();
    ok(&db2, &["ledger", "import", out.to_str().unwrap(), "--organ", "1"]);
    let again = dir.path().join("again.csv");
    ok(&db2, &["ledger", "export", "--organ", "1", "--out", again.to_str().unwrap(), "--unmask"]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
    // XLSX stays safe: every cell is a shared string (t="s"), never a formula (<f>).
    let x = dir.path().join("out.xlsx");
    ok(&db, &["ledger", "export", "--organ", "1", "--out", x.to_str().unwrap(), "--unmask"]);
    let bytes = std::fs::read(&x).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
    assert!(!sheet.contains("<f>") && !sheet.contains("<f "), "a formula element in the export");
    assert!(sheet.contains("t=\"s\""));
}

#[test]
fn ledger_import_errors_mask_personal_data() {
    let (dir, db) = setup();
    // A shifted column: every value one to the right of its header.
    let mut rows = gongkai_synth::ledger::ledger(4, 3, Default::default());
    for r in rows.iter_mut().skip(1) {
        r.insert(1, String::new());
        r.pop();
    }
    let secrets: Vec<String> = rows
        .iter()
        .skip(1)
        .flat_map(|r| [r[5].clone(), r[6].clone(), r[7].clone(), r[8].clone()])
        .filter(|s| s.len() > 3)
        .collect();
    let file = dir.path().join("shifted.csv");
    write_ledger(&file, &rows);
    let err = fails(&db, &["ledger", "import", file.to_str().unwrap(), "--organ", "1"]);
    assert!(err.contains("第2行"), "{err}");
    for s in &secrets {
        assert!(!err.contains(s.as_str()), "personal value {s} printed:\n{err}");
    }
}

#[test]
fn show_escapes_control_characters() {
    let (_dir, db) = setup();
    let evil = "某\u{1b}]0;标题被改\u{7}事项\u{1b}[2J\u{9b}31m";
    ok(
        &db,
        &[
            "register",
            "--organ",
            "1",
            "--serial",
            "C-1",
            "--name",
            "张三",
            "--received",
            "2024-03-05",
            "--description",
            evil,
        ],
    );
    let out = ok(&db, &["show", "1"]);
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    assert!(out.contains("\\u{1b}]0;标题被改\\u{7}事项\\u{1b}[2J\\u{9b}31m"), "{out}");
    // Stored verbatim: the JSON output (escaped by JSON itself) gives the original text back.
    let json: serde_json::Value = serde_json::from_str(&ok(&db, &["show", "1", "--format", "json"])).unwrap();
    assert_eq!(json["application"]["description"], evil);
}

#[cfg(unix)]
#[test]
fn register_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let (dir, db) = setup();
    ok(
        &db,
        &[
            "register",
            "--organ",
            "1",
            "--serial",
            "P-1",
            "--name",
            "张三",
            "--received",
            "2024-03-05",
            "--description",
            "某事项",
        ],
    );
    assert_eq!(mode(&db), 0o600);
    for suffix in ["-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{suffix}");
        }
    }
    for out in ["e.csv", "e.xlsx"] {
        let p = dir.path().join(out);
        ok(&db, &["ledger", "export", "--organ", "1", "--out", p.to_str().unwrap(), "--unmask"]);
        assert_eq!(mode(&p), 0o600, "{out}");
    }
    let letter = dir.path().join("l.docx");
    ok(&db, &["event", "1", "--version", "1", "--type", "replied", "--date", "2024-03-20", "--outcome", "R3.1"]);
    ok(&db, &["letter", "1", "--kind", "reply", "--out", letter.to_str().unwrap()]);
    assert_eq!(mode(&letter), 0o600);
    // An existing register readable by others is named in a warning.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = gk(&db, &["organ", "list"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("可被其他用户读取"));
}

#[cfg(unix)]
#[test]
fn pdftotext_child_holding_the_pipe_cannot_hold_gongkai() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("pdftotext");
    // Prints a line, leaves a child that keeps stdout open for 5 minutes, and exits.
    std::fs::write(&fake, "#!/bin/sh\necho 2024年政府信息公开工作年度报告\nsleep 300 &\nexit 0\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let pdf = dir.path().join("r.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n%%EOF").unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let start = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["check", "--no-progress"])
        .arg(&pdf)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", start.elapsed());
    // The report is read (and found lacking tables), not timed out.
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("超时"), "{all}");
}

#[cfg(unix)]
#[test]
fn check_dir_names_every_skipped_entry() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("reports");
    // One report 300 folders down (the old walk stopped at 65 levels and said "0 份报告").
    let mut deep = root.clone();
    for _ in 0..300 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    let opts = gongkai_synth::SynthOptions { format: gongkai_model::FormatVersion::F2021, target_bytes: 6_000 };
    let report = gongkai_render::text(&gongkai_synth::report(1, &opts), gongkai_render::TextShape::Markdown);
    std::fs::write(deep.join("r.txt"), &report).unwrap();
    // A link to a file outside (followed), a link loop, a broken link, a FIFO, a picture.
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, &report).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.txt"), root.join("broken.txt")).unwrap();
    assert!(Command::new("mkfifo").arg(root.join("pipe.txt")).status().unwrap().success());
    std::fs::write(root.join("photo.jpg"), b"\xff\xd8").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai")).args(["check", "--no-progress"]).arg(&root).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("检查完成：2 份报告"), "{text}");
    for (name, why) in [
        ("loop", "循环"),
        ("broken.txt", "目标不存在"),
        ("pipe.txt", "不是普通文件"),
        ("photo.jpg", "不是支持的报告格式"),
    ] {
        assert!(text.lines().any(|l| l.contains(&format!("{name}：")) && l.contains(why)), "{name} {why}:\n{text}");
    }
    assert!(text.contains("跳过 4 个条目"), "{text}");
    // The broken link may have been a report: not exit 0.
    assert_eq!(out.status.code(), Some(2), "{text}");
    // audit and aggregate walk the same way and name the same entries on stderr.
    let csv = dir.path().join("audit.csv");
    let out =
        Command::new(env!("CARGO_BIN_EXE_gongkai")).arg("audit").arg(&root).arg("--out").arg(&csv).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("共跳过 4 个条目") && err.contains("2 份报告"), "{err}");
    assert!(std::fs::read(&csv).unwrap().starts_with(b"\xEF\xBB\xBFfile,organ"), "audit CSV without BOM");
    assert_eq!(out.status.code(), Some(2), "{err}");
}

#[test]
fn fee_sum_never_wraps_and_amounts_are_bounded_at_input() {
    let (_dir, db) = setup();
    // Negative and huge amounts are refused at input.
    let e = fails(&db, &["counts", "set", "--organ", "1", "--year", "2024", "--fee-wan=-0.5"]);
    assert!(e.contains("负数"), "{e}");
    let e =
        fails(&db, &["counts", "set", "--organ", "1", "--year", "2024", "--fee-wan", "79228162514264337593543950335"]);
    assert!(e.contains("超过上限"), "{e}");
    let e = fails(&db, &["counts", "set", "--organ", "1", "--year", "2024", "--licences", "18446744073709551615"]);
    assert!(e.contains("超过上限"), "{e}");
    ok(&db, &["counts", "set", "--organ", "1", "--year", "2024", "--fee-wan", "1.5", "--licences", "3"]);
    ok(
        &db,
        &[
            "register",
            "--organ",
            "1",
            "--serial",
            "F-1",
            "--name",
            "张三",
            "--received",
            "2024-03-05",
            "--description",
            "某事项",
        ],
    );
    for amount in ["18446744073709551615", "0"] {
        let e = fails(
            &db,
            &["event", "1", "--version", "1", "--type", "fee_notice", "--date", "2024-03-08", "--amount", amount],
        );
        assert!(e.contains("收费金额"), "{amount}: {e}");
        // The JSON spelling goes through the same check.
        let j = format!(r#"{{"event":"fee_notice","date":"2024-03-08","amount":{amount}}}"#);
        assert!(fails(&db, &["event", "1", "--version", "1", &j]).contains("收费金额"));
    }
    ok(&db, &["event", "1", "--version", "1", "--type", "fee_notice", "--date", "2024-03-08", "--amount", "700"]);
}

#[test]
fn validation_at_the_edges_on_every_path() {
    let (dir, db) = setup();
    let reg = |extra: &[&str]| {
        let mut a = vec!["register", "--organ", "1", "--serial", "V-1", "--name", "张三", "--received", "2024-03-05"];
        a.extend_from_slice(extra);
        if !extra.contains(&"--description") {
            a.extend(["--description", "某事项"]);
        }
        gk(&db, &a)
    };
    let refused = |extra: &[&str], what: &str| {
        let o = reg(extra);
        let e = String::from_utf8_lossy(&o.stderr).to_string();
        assert_ne!(o.status.code(), Some(0), "{extra:?} accepted");
        assert!(e.contains(what), "{extra:?}: {e}");
        // The refused value itself is never echoed.
        for v in extra.iter().filter(|v| v.len() > 6 && !v.starts_with("--")) {
            assert!(!e.contains(*v), "{v} echoed: {e}");
        }
    };
    refused(&["--id-number", "110105194912310021"], "校验码");
    refused(&["--id-number", "91350100M000100Y44"], "统一社会信用代码");
    refused(&["--phone", "12345678901"], "手机号码");
    refused(&["--email", "zhang.example.cn"], "电子邮箱");
    refused(&["--description", " \u{3000} "], "申请内容");
    let huge = "字".repeat(6_000);
    refused(&["--description", &huge], "超过上限");
    let o = gk(
        &db,
        &[
            "register",
            "--organ",
            "1",
            "--serial",
            "V-2",
            "--name",
            "张三",
            "--received",
            "2099-01-05",
            "--description",
            "某事项",
        ],
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("晚于今天"), "{o:?}");
    // A valid applicant is accepted; a reply before receipt and a future reply are refused.
    assert_eq!(
        reg(&["--id-number", "11010519491231002X", "--phone", "13812345678", "--email", "z@example.cn"]).status.code(),
        Some(0)
    );
    let e =
        fails(&db, &["event", "1", "--version", "1", "--type", "replied", "--date", "2024-03-01", "--outcome", "R3.1"]);
    assert!(e.contains("早于") || e.contains("之前"), "{e}");
    let e =
        fails(&db, &["event", "1", "--version", "1", "--type", "replied", "--date", "2099-03-01", "--outcome", "R3.1"]);
    assert!(e.contains("晚于今天"), "{e}");
    // The ledger path: a 10 MB description in a CSV is refused with the same bound.
    let mut rows = gongkai_synth::ledger::ledger(2, 2, Default::default());
    rows[1][9] = "长".repeat(10 * 1024 * 1024 / 3);
    let file = dir.path().join("big.csv");
    write_ledger(&file, &rows);
    let e = fails(&db, &["ledger", "import", file.to_str().unwrap(), "--organ", "1"]);
    assert!(e.contains("第2行“申请内容”") && e.contains("超过上限"), "{}", &e[..e.len().min(400)]);
}

#[test]
fn check_csv_neutralises_formulas() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("=HYPERLINK(1).md"), "=1+1\n@SUM(A1)\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .current_dir(dir.path())
        .args(["check", "--no-progress", "--format", "csv", "=HYPERLINK(1).md"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rd = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let mut rows = 0;
    for rec in rd.records() {
        let rec = rec.unwrap();
        rows += 1;
        assert_eq!(&rec[0], "'=HYPERLINK(1).md");
        assert!(rec.iter().all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])), "{rec:?}");
    }
    assert!(rows > 0, "{text}");
}
