//! Black-box tests of the `gongkai` binary: exit codes, output formats, stdin, directories.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
}

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if p.is_dir() {
        Some(p)
    } else {
        gongkai_testkit::skipped("a test over the shared reports", &format!("{} not found", p.display()));
        None
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn check_seed_exits_1_and_shows_source_lines() {
    let Some(s) = shared() else { return };
    let out = bin().arg("check").arg(s.join("seed/000_64ff3bdd190e597a.txt")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for rule in ["错误[D10]", "警告[D21]", "警告[D22]", "错误[D1]", "警告[D8]", "错误[D12]", "警告[D13]"]
    {
        assert!(text.contains(rule), "missing {rule}:\n{text}");
    }
    assert!(text.contains("000_64ff3bdd190e597a.txt:7:1"), "{text}");
    assert!(text.contains("7 | 2021年，南关区科技局"), "{text}");
    assert!(text.contains("检查完成：1 份报告"), "{text}");
}

#[test]
fn parse_json_is_addressable_by_spec_ids() {
    let Some(s) = shared() else { return };
    let out = bin().args(["parse", "--format", "json"]).arg(s.join("corpus/reports/001.txt")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["table3"]["R1"]["TOT"]["value"], 713);
    assert_eq!(v["table3"]["R3.6.3"]["NP"]["value"], 142);
    assert_eq!(v["table4"]["RV"]["TOT"]["value"], 61);
    assert_eq!(v["table2"]["FEE"]["AMOUNT"]["value"], 4068.208);
    assert_eq!(v["schema"], "gongkai.report/1");
    for f in v["findings"].as_array().unwrap() {
        for k in ["rule", "severity", "message"] {
            assert!(f.get(k).is_some(), "{f}");
        }
    }
    // Every top-level key is documented in the published schema.
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("docs/schema/report.schema.json")).unwrap()).unwrap();
    for k in v.as_object().unwrap().keys() {
        assert!(schema["properties"].get(k).is_some(), "{k} not in schema");
    }
    let ids: Vec<&str> = schema["properties"]["table3"]["propertyNames"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    let model: Vec<&str> = gongkai_model::T3Row::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(ids, model);
}

#[test]
fn check_reads_stdin_and_writes_json_and_csv() {
    let Some(s) = shared() else { return };
    let seed = std::fs::read(s.join("seed/000_64ff3bdd190e597a.txt")).unwrap();
    for (fmt, probe) in [("json", "\"rule\": \"D10\""), ("csv", "file,rule,severity,line,col,message,cells")] {
        let mut child = bin()
            .args(["check", "--format", fmt, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&seed).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8(out.stdout).unwrap();
        if fmt == "json" {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let f = &v[0]["findings"];
            assert!(f.as_array().unwrap().iter().any(|x| x["rule"] == "D10" && x["location"]["line"] == 7));
        } else {
            assert!(text.starts_with(probe), "{text}");
            assert!(text.contains("-,D22,warning,7,"), "{text}");
        }
    }
}

#[test]
fn directories_are_walked_and_unreadable_inputs_exit_2() {
    let Some(s) = shared() else { return };
    let out = bin().args(["check", "--no-progress"]).arg(s.join("corpus/partial")).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("检查完成：34 份报告"), "{text}");
    // A broken PDF fails with the reason, exit 2.
    let bad = std::env::temp_dir().join(format!("gongkai-cli-test-{}.pdf", std::process::id()));
    std::fs::write(&bad, b"%PDF-1.4\nnot really a pdf\n%%EOF\n").unwrap();
    let out = bin().arg("check").arg(&bad).output().unwrap();
    let _ = std::fs::remove_file(&bad);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stdout).unwrap().contains("pdftotext"));
    let out = bin().args(["check", "/nonexistent/file.txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("无法访问"));
}

#[test]
fn a_clean_report_exits_0() {
    let Some(s) = shared() else { return };
    // 001 balances; its only finding is a warning (D14), so the exit code is 0.
    let out = bin().arg("check").arg(s.join("corpus/reports/001.txt")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn pdf_table4_inconsistency_is_found_as_published() {
    let Some(s) = shared() else { return };
    if !gongkai_pdf::available() {
        gongkai_testkit::skipped("the PDF test", "pdftotext (poppler-utils) is not installed");
        return;
    }
    // corpus README: 005's 行政复议 has 维持 10 + 纠正 1 but 总计 0, 复议后起诉 5 but 总计 0.
    let out = bin().arg("check").arg(s.join("corpus/reports/005.pdf")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("错误[E4]").count(), 2, "{text}");
    assert!(text.contains("10+1+0+0 = 11，不等于总计0"), "{text}");
}

#[test]
fn calendar_commands_answer_and_flag_years_without_a_notice() {
    let out = bin().args(["calendar", "add", "2024-09-27", "20"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("2024-10-30"));
    let out = bin().args(["calendar", "between", "2020-01-20", "2020-02-25", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["workdays"], 20);
    let out = bin().args(["calendar", "is-workday", "2020-01-19", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["workday"], true);
    // A year without a notice is answered provisionally, and says so (SPEC §5).
    let out = bin().args(["calendar", "is-workday", "2027-03-01"]).env("GONGKAI_DB", "").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("工作日") && text.contains("2027年放假安排尚未导入，暂按周末计算"), "{text}");
    // A user file adds next year's notice without a new release.
    let f = std::env::temp_dir().join(format!("gongkai-holidays-{}.tsv", std::process::id()));
    std::fs::write(&f, "date\tkind\tname\n2027-02-08\tholiday\t春节\n").unwrap();
    let out = bin().args(["calendar", "is-workday", "2027-02-08", "--holidays"]).arg(&f).output().unwrap();
    let _ = std::fs::remove_file(&f);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains("非工作日"));
}

#[test]
fn fee_command_prints_the_breakdown() {
    let out = bin().args(["fee", "--pages", "2219"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("83460元"), "{text}");
    let out = bin().args(["fee", "--items", "45", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 5500);
    assert_eq!(bin().arg("fee").output().unwrap().status.code(), Some(2));
}

#[test]
fn parse_render_parse_keeps_the_tables_of_a_real_report() {
    let Some(s) = shared() else { return };
    let out = bin().args(["parse", "--format", "json"]).arg(s.join("corpus/reports/001.txt")).output().unwrap();
    let first: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dir = std::env::temp_dir().join(format!("gongkai-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("r.json"), &out.stdout).unwrap();
    for (to, file) in [("html", "r.html"), ("md", "r.md"), ("text", "r.txt"), ("docx", "r.docx"), ("xlsx", "r.xlsx")] {
        let out =
            bin().args(["render", "--to", to, "--out"]).arg(dir.join(file)).arg(dir.join("r.json")).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let again = bin().args(["parse", "--format", "json"]).arg(dir.join(file)).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
        for table in ["table2", "table3", "table4"] {
            let strip = |t: &serde_json::Value| -> Vec<(String, String, serde_json::Value)> {
                t.as_object()
                    .unwrap()
                    .iter()
                    .flat_map(|(r, cols)| {
                        cols.as_object()
                            .unwrap()
                            .iter()
                            .map(move |(c, cell)| (r.clone(), c.clone(), cell["value"].clone()))
                    })
                    .collect()
            };
            assert_eq!(strip(&first[table]), strip(&v[table]), "{to}: {table}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clock_explains_the_due_date_and_rejects_bad_logs() {
    let dir = std::env::temp_dir().join(format!("gongkai-clock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    std::fs::write(
        &good,
        r#"[{"event":"received","date":"2024-09-27","channel":"online"},
            {"event":"replied","date":"2024-10-31","outcome":"R3.1"}]"#,
    )
    .unwrap();
    let out = bin().args(["clock", "--format", "json", "--today", "2024-11-01"]).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["due"], "2024-10-30");
    assert_eq!(v["late"], true);
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"[{"event":"replied","date":"2024-10-31","outcome":"R3.1"}]"#).unwrap();
    let out = bin().arg("clock").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("尚未登记收到"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn consecutive_years_of_one_organ_are_checked_together() {
    let example =
        std::fs::read_to_string(repo().join("examples/示例县科学技术局2024年政府信息公开工作年度报告.md")).unwrap();
    // The next year's report of the same organ: it forgets the one application carried over.
    let next = example.replace("2024年", "2025年").replace("2025年1月20日", "2026年1月20日").replace(
        "| 二、上年结转政府信息公开申请数量 | | | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        "| 二、上年结转政府信息公开申请数量 | | | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
    );
    assert_ne!(next, example.replace("2024年", "2025年").replace("2025年1月20日", "2026年1月20日"));
    let dir = std::env::temp_dir().join(format!("gongkai-years-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("2024.md"), &example).unwrap();
    std::fs::write(dir.join("2025.md"), &next).unwrap();
    let out = bin().args(["check", "--no-progress"]).arg(&dir).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(text.contains("跨年度检查"), "{text}");
    assert_eq!(text.matches("警告[E5]").count(), 2, "NP and TOT: {text}");
    assert!(text.contains("2025年“上年结转”为0，但2024年报告“结转下年度继续办理”为1"), "{text}");
}

#[test]
fn copied_text_between_organs_is_found_d15() {
    let example =
        std::fs::read_to_string(repo().join("examples/示例县科学技术局2024年政府信息公开工作年度报告.md")).unwrap();
    let copy = example.replace("示例县科学技术局", "示例县民政局").replace("“示例科技”", "“示例民政”");
    let dir = std::env::temp_dir().join(format!("gongkai-copy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.md"), &example).unwrap();
    std::fs::write(dir.join("b.md"), &copy).unwrap();
    let out = bin().args(["check", "--no-progress"]).arg(&dir).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(text.matches("警告[D15]").count(), 1, "{text}");
    assert!(text.contains("可能内容雷同"), "{text}");
}

#[test]
fn audit_writes_a_long_dataset_and_a_page() {
    let Some(s) = shared() else { return };
    let dir = std::env::temp_dir().join(format!("gongkai-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("cells.csv");
    let out = bin().arg("audit").arg(s.join("seed")).arg("--out").arg(&csv).output().unwrap();
    // The seed has errors: exit 1, as `check` does.
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // UTF-8 with a BOM, so that Excel on Chinese Windows opens it.
    assert_eq!(lines[0], "\u{feff}file,organ,year,format,table,row,col,state,value,raw,line,column");
    // The seed: 10 table-二 cells, 23 × 7 table-三 cells, 15 table-四 cells; blanks stay blank.
    assert_eq!(lines.len() - 1, 10 + 23 * 7 + 15);
    assert!(lines.iter().any(|l| l.contains(",table3,R1,NP,blank,,,")), "{}", lines[20]);
    let html = dir.join("audit.html");
    let out = bin().arg("audit").arg(s.join("seed")).arg("--out").arg(&html).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("按规则统计") && page.contains("南关区科技局") && page.contains("D10 ×2"), "{page}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_parse_and_audit_read_docx_and_xlsx() {
    let Some(s) = shared() else { return };
    let dir = std::env::temp_dir().join(format!("gongkai-office-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = bin().args(["parse", "--format", "json"]).arg(s.join("seed/000_64ff3bdd190e597a.txt")).output().unwrap();
    std::fs::write(dir.join("seed.json"), &out.stdout).unwrap();
    for to in ["docx", "xlsx"] {
        let file = dir.join(format!("seed.{to}"));
        let out = bin().args(["render", "--to", to, "--out"]).arg(&file).arg(dir.join("seed.json")).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        // The seed's defects are found in the Word and Excel files too, with source lines.
        let out = bin().arg("check").arg(&file).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8(out.stdout).unwrap();
        for rule in ["错误[D10]", "警告[D21]", "错误[D1]", "警告[D8]", "错误[D12]"] {
            assert!(text.contains(rule), "{to}: missing {rule}:\n{text}");
        }
        assert!(text.contains("2021年，南关区科技局"), "{text}");
        if to == "xlsx" {
            assert!(text.contains("个工作表，单元格"), "{text}");
        }
        let out = bin().args(["parse", "--format", "json"]).arg(&file).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["source"]["kind"], to);
        assert_eq!(v["table3"]["R1"]["TOT"]["value"], 0);
        assert_eq!(v["table3"]["R1"]["NP"]["state"], "blank");
    }
    // A directory walk picks up .docx and .xlsx; a broken one fails alone with a reason.
    std::fs::write(dir.join("broken.docx"), b"PK\x03\x04 not really a zip").unwrap();
    let csv = dir.join("cells.csv");
    let out = bin().arg("audit").arg(&dir).arg("--out").arg(&csv).output().unwrap();
    // The broken file fails alone; the audit is written for the others and exits 2, as `check`.
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 份无法读取或不是年度报告"));
    let data = std::fs::read_to_string(&csv).unwrap();
    assert!(data.contains("seed.docx") && data.contains("seed.xlsx"), "{data}");
    let out = bin().arg("check").arg(dir.join("broken.docx")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ZIP") || String::from_utf8_lossy(&out.stderr).contains("ZIP")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------ conventions (issue 15)

fn example() -> PathBuf {
    let dir = repo().join("examples");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("examples/ holds a report")
}

fn run(args: &[&str]) -> std::process::Output {
    bin().args(args).env_remove("GONGKAI_DB").output().unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The help pages and clap's errors are Chinese: no English chrome, and every command shows
/// examples.
#[test]
fn help_and_argument_errors_are_in_chinese() {
    let top = run(&["--help"]);
    assert_eq!(top.status.code(), Some(0));
    let text = String::from_utf8(top.stdout).unwrap();
    for zh in ["用法：gongkai <命令>", "命令：", "选项：", "显示帮助", "显示版本", "completions", "man"]
    {
        assert!(text.contains(zh), "{zh}: {text}");
    }
    let commands: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("命令："))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert!(commands.len() >= 25, "{commands:?}");
    let english = ["Usage", "Options", "Commands", "Arguments", "Print help", "Possible values", "[default:"];
    for c in &commands {
        let h = run(&[c, "--help"]);
        assert_eq!(h.status.code(), Some(0), "{c}");
        let h = String::from_utf8(h.stdout).unwrap();
        assert!(h.contains("用法：") && h.contains("示例：\n  gongkai"), "{c}: {h}");
        for e in english {
            assert!(!h.contains(e), "{c} --help shows “{e}”: {h}");
        }
        // --db only where the command uses the register.
        let uses_db = ["init", "organ", "register", "show", "due", "ledger", "letter", "compile", "serve"];
        if uses_db.contains(&c.as_str()) {
            assert!(h.contains("--db <PATH|URL>"), "{c}: {h}");
        }
        if ["check", "parse", "render", "rules", "fee", "bench", "aggregate", "man"].contains(&c.as_str()) {
            assert!(!h.contains("--db"), "{c} shows --db: {h}");
        }
    }
    // clap's errors: the kind in Chinese, naming the argument or value.
    for (args, want) in [
        (&["chek"][..], "没有“chek”这个命令（是否想用 check？）"),
        (&["check", "--format", "xml", "x"][..], "选项 --format <FORMAT> 的值“xml”无效；可选：text、json、csv"),
        (&["render"][..], "缺少必需的参数：<PATH>"),
        (&["show", "abc"][..], "参数 <ID> 的值“abc”无效：应为整数"),
        (&["fee", "--pages", "3", "--items", "2"][..], "不能与"),
        (&["check", "--nope", "x"][..], "无法识别的参数“--nope”"),
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.starts_with("gongkai: 错误：") && e.contains(want), "{args:?}: {e}");
        for english in ["error:", "Usage", "For more information", "tip:"] {
            assert!(!e.contains(english), "{args:?}: {e}");
        }
    }
}

/// Errors of the operating system are worded in Chinese with the file named.
#[test]
fn os_errors_are_worded_in_chinese() {
    let o = run(&["parse", "/nonexistent/报告.txt"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("/nonexistent/报告.txt") && e.contains("不存在"), "{e}");
    assert!(!e.contains("os error") && !e.contains("No such file"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["render", dir.path().to_str().unwrap(), "--to", "md"]);
    let e = stderr(&o);
    assert!(e.contains("目录") && !e.contains("os error"), "{e}");
}

/// `gongkai parse FILE | head -1` and `gongkai check DIR | head`: the reader closes the pipe
/// early; gongkai ends quietly with exit 0 (no panic, no error).
#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let ex = example();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..150 {
        std::fs::copy(&ex, dir.path().join(format!("r{i:03}.md"))).unwrap();
    }
    // Each output is larger than a pipe's buffer (64 KiB), so the writer does meet the closed pipe.
    let cases: Vec<Vec<String>> = vec![
        vec!["parse".into(), ex.display().to_string()],
        vec!["check".into(), dir.path().display().to_string(), "--no-progress".into()],
        vec!["completions".into(), "fish".into()],
    ];
    for args in cases {
        let mut child = bin().args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        std::io::Read::read_exact(&mut out, &mut first).unwrap();
        drop(out);
        let o = child.wait_with_output().unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {e}");
        assert!(!e.contains("panicked") && !e.contains("错误"), "{args:?}: {e}");
    }
}

/// `--color always|never|auto`, `NO_COLOR` and `TERM=dumb` (a terminal through `script`).
#[test]
fn colour_follows_the_flag_no_color_and_term() {
    let ex = example();
    let ex = ex.to_str().unwrap();
    let esc = |o: &std::process::Output| o.stdout.contains(&0x1b);
    assert!(esc(&run(&["check", ex, "--color", "always"])), "always colours a pipe");
    assert!(!esc(&run(&["check", ex])), "auto does not colour a pipe");
    assert!(!esc(&run(&["check", ex, "--color", "never"])));
    let script = Path::new("/usr/bin/script");
    if !script.exists() {
        gongkai_testkit::skipped(
            "the terminal half (NO_COLOR, TERM=dumb)",
            "/usr/bin/script (util-linux) not installed",
        );
        return;
    }
    let tty = |env: &[(&str, &str)], extra: &str| {
        let cmd = format!("{} check '{ex}' --no-progress {extra}", env!("CARGO_BIN_EXE_gongkai"));
        let mut c = Command::new(script);
        c.args(["-qec", &cmd, "/dev/null"]).env_remove("NO_COLOR").env("TERM", "xterm");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    assert!(esc(&tty(&[], "")), "a terminal is coloured");
    assert!(!esc(&tty(&[("NO_COLOR", "1")], "")), "NO_COLOR");
    assert!(!esc(&tty(&[("TERM", "dumb")], "")), "TERM=dumb");
    assert!(!esc(&tty(&[], "--color never")), "--color never");
}

#[test]
fn completions_and_man_page_come_from_the_command_tree() {
    for (shell, marker) in [
        ("bash", "_gongkai()"),
        ("zsh", "#compdef gongkai"),
        ("fish", "complete -c gongkai"),
        ("powershell", "gongkai"),
    ] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let s = String::from_utf8(o.stdout).unwrap();
        assert!(s.contains(marker) && s.contains("register") && s.contains("outcome"), "{shell}");
    }
    let o = run(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let m = String::from_utf8(o.stdout).unwrap();
    assert!(m.starts_with(".ie") || m.starts_with(".TH"), "{}", &m[..80]);
    for s in [".TH gongkai", ".SH 名称", ".SH 用法", ".SH \"gongkai organ add\"", "示例", "--outcome"] {
        assert!(m.replace("\\-", "-").contains(s), "{s}");
    }
    assert!(!m.contains(".SH SYNOPSIS") && !m.contains(".SH OPTIONS"));
}

/// `docs/rules.md` is what `gongkai rules --format md` prints: regenerate it when a rule changes.
#[test]
fn docs_rules_md_is_generated_from_the_rule_registry() {
    let o = run(&["rules", "--format", "md"]);
    assert_eq!(o.status.code(), Some(0));
    let now = String::from_utf8(o.stdout).unwrap();
    let file = std::fs::read_to_string(repo().join("docs/rules.md")).unwrap_or_default();
    assert!(now == file, "docs/rules.md is stale: run `cargo run -p gongkai -- rules --format md > docs/rules.md`");
    assert!(now.contains("| E1 | 错误 |") && now.contains("| D10 |"));
    let o = run(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let e1 = v.as_array().unwrap().iter().find(|r| r["id"] == "E1").unwrap();
    assert_eq!(e1["severity"], "error");
    assert_eq!(e1["severity_zh"], "错误");
}

#[test]
fn calendar_between_with_reversed_dates_says_so() {
    let o = run(&["calendar", "between", "2020-02-25", "2020-01-20"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("结束日期 2020-01-20 早于开始日期 2020-02-25"), "{}", stderr(&o));
    let o = run(&["calendar", "between", "2020-01-20", "2020-02-25"]);
    assert_eq!(o.status.code(), Some(0));
}

/// A file that exists is replaced only with --force; the refusal writes nothing.
#[test]
fn existing_files_are_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = bin().args(["parse"]).arg(example()).output().unwrap();
    std::fs::write(&json, &o.stdout).unwrap();
    let out = dir.path().join("r.md");
    std::fs::write(&out, "keep").unwrap();
    let o = run(&["render", json.to_str().unwrap(), "--to", "md", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("已存在，未覆盖；如要覆盖请加 --force"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
    let o = run(&["render", json.to_str().unwrap(), "--to", "md", "--out", out.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(std::fs::read_to_string(&out).unwrap(), "keep");
    let csv = dir.path().join("a.csv");
    std::fs::write(&csv, "keep").unwrap();
    let o = run(&["audit", example().to_str().unwrap(), "--out", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "keep");
}

/// Issue 15, honest batch results: files that are not reports fail, each named, in `check` and
/// in `audit`; a folder with nothing to read fails.
#[test]
fn files_that_are_not_reports_fail_and_an_empty_folder_fails() {
    let dir = std::env::temp_dir().join(format!("gongkai-notreport-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = fastrand::Rng::with_seed(0x2545_F491_4F6C_DD1D);
    let random: Vec<u8> = (0..4096).map(|_| rng.u8(..)).collect();
    let files: [(&str, Vec<u8>); 4] = [
        ("named.docx", "这是一份会议纪要，不是年度报告。\n参会人员讨论了下一步工作安排。\n".as_bytes().to_vec()),
        ("random.txt", random),
        ("title.txt", "某县科学技术局2024年政府信息公开工作年度报告\n本局认真贯彻落实条例。\n".as_bytes().to_vec()),
        ("garbage.txt", "乱码ab12#".repeat(120_000).into_bytes()),
    ];
    for (name, bytes) in &files {
        std::fs::write(dir.join(name), bytes).unwrap();
        let out = bin().args(["check", "--no-progress"]).arg(dir.join(name)).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{name}: {text}");
        assert!(text.contains("不是政府信息公开工作年度报告") || text.contains("无法读取"), "{name}: {text}");
        assert!(text.contains("1 份无法读取或不是年度报告"), "{name}: {text}");
    }
    let out = bin().args(["check", "--no-progress", "--format", "json"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(4));
    for f in v.as_array().unwrap() {
        let p7 = f["findings"].as_array().unwrap().iter().any(|x| x["rule"] == "P8" && x["severity"] == "error");
        assert!(p7 || f["error"].is_string(), "{f}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 份无法读取或不是年度报告"));
    let out = bin().arg("audit").arg(&dir).arg("--out").arg(dir.join("a.csv")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 份无法读取或不是年度报告"));
    // A folder with nothing to read.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("notes.doc"), b"x").unwrap();
    let out = bin().args(["check", "--no-progress"]).arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("没有读到任何报告文件"));
    let out = bin().arg("audit").arg(&empty).arg("--out").arg(dir.join("b.csv")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 15: a truncated report keeps what it lacks visible under `--errors-only`.
#[test]
fn errors_only_lists_what_a_truncation_may_have_cut() {
    let example =
        std::fs::read_to_string(repo().join("examples/示例县科学技术局2024年政府信息公开工作年度报告.md")).unwrap();
    // Cut in the middle of a sentence of section 一.
    let at = example.find("一、总体情况").unwrap();
    let cut = example[at..].find('，').unwrap() + at;
    let dir = std::env::temp_dir().join(format!("gongkai-trunc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cut.md");
    std::fs::write(&file, &example[..cut + 3 * 8]).unwrap();
    let out = bin().args(["check", "--no-progress", "--errors-only"]).arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(text.contains("警告[P5]"), "{text}");
    assert!(text.contains("缺少“五、存在的主要问题及改进情况”部分（文档截断，可能因截断而缺失）"), "{text}");
    assert!(text.contains("未找到表三（文档截断，可能因截断而缺失）"), "{text}");
}

/// Issue 15: `audit` names byte copies (B1) and the same report filed again under another
/// name (B2), and shows no copied-text warning between them.
#[test]
fn audit_reports_duplicate_files_and_the_same_report_twice() {
    let example =
        std::fs::read_to_string(repo().join("examples/示例县科学技术局2024年政府信息公开工作年度报告.md")).unwrap();
    let dir = std::env::temp_dir().join(format!("gongkai-dups-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.md"), &example).unwrap();
    std::fs::write(dir.join("b.md"), &example).unwrap();
    std::fs::write(dir.join("c.md"), format!("{example}\n\n")).unwrap();
    let json = dir.join("out.json");
    let out = bin().arg("audit").arg(&dir).arg("--out").arg(&json).output().unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    // The example has errors of its own: exit 1, as `check`.
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let cross: Vec<(String, String, String)> = v["cross_report"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let f = x["file"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string();
            (f, x["finding"]["rule"].as_str().unwrap().to_string(), x["finding"]["message"].to_string())
        })
        .collect();
    assert!(cross.iter().any(|(f, r, m)| f == "b.md" && r == "B1" && m.contains("a.md")), "{cross:?}");
    assert!(cross.iter().any(|(f, r, m)| f == "c.md" && r == "B2" && m.contains("a.md")), "{cross:?}");
    assert_eq!(cross.len(), 2, "{cross:?}");
}

/// `gongkai serve --db-pool N` takes a whole number from 1 to 1024; anything else is refused in
/// Chinese with exit 2 before any register is opened.
#[test]
fn serve_db_pool_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    for bad in ["0", "x", "1025"] {
        let out = bin().args(["--db", db.to_str().unwrap(), "serve", "--db-pool", bad]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = stderr(&out);
        assert!(err.contains("连接池大小须为 1 到 1024 之间的整数"), "{err}");
        assert!(!db.exists(), "nothing opened");
    }
}
