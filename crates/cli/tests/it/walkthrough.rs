//! The README's five-minute walkthrough, run as a black-box test: init, organs, register,
//! events, due list, compile from the register, render, the Excel 台账 round trip and a reply
//! letter. If this test passes, the commands in the README work as printed.

use std::path::Path;
use std::process::{Command, Output};

fn gk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .current_dir(dir)
        .env("GONGKAI_DB", dir.join("gongkai.db"))
        .env("GONGKAI_ACTOR", "测试员")
        .args(args)
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = gk(dir, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn readme_walkthrough_from_init_to_the_compiled_report() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(d, &["init"]);
    ok(d, &["organ", "add", "--name", "示例县人民政府", "--kind", "人民政府", "--code", "000000001"]);
    ok(d, &["organ", "add", "--name", "示例县科学技术局", "--parent", "示例县人民政府", "--code", "000000002"]);
    // Two applications: one answered after an extension, one still open at the end of the year.
    let r = ok(
        d,
        &[
            "register",
            "--organ",
            "2",
            "--serial",
            "2024-001",
            "--name",
            "张三",
            "--phone",
            "13812345678",
            "--received",
            "2024-09-27",
            "--description",
            "2023年度科技项目资金分配结果",
        ],
    );
    assert!(r.contains("答复期限 2024年10月30日"), "20 working days after 27 September, over 国庆: {r}");
    ok(
        d,
        &[
            "register",
            "--organ",
            "2",
            "--serial",
            "2024-002",
            "--applicant-kind",
            "法律服务机构",
            "--name",
            "某律师事务所",
            "--received",
            "2024-12-20",
            "--description",
            "某行政处罚决定书",
        ],
    );
    let e = ok(
        d,
        &[
            "event",
            "1",
            "--version",
            "1",
            "--type",
            "extended",
            "--date",
            "2024-10-25",
            "--days",
            "20",
            "--approver",
            "李四",
        ],
    );
    assert!(e.contains("2024年11月27日"), "{e}");
    ok(
        d,
        &[
            "event",
            "1",
            "--version",
            "2",
            "--type",
            "答复",
            "--date",
            "2024-11-15",
            "--outcome",
            "本机关不掌握相关政府信息",
        ],
    );
    // A stale version is refused, never lost.
    let stale = gk(d, &["event", "1", "--version", "2", "--type", "withdrawn", "--date", "2024-11-16"]);
    assert_ne!(stale.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&stale.stderr).contains("版本"));
    // Due list as of 10 January 2025: application 2 is due on 20 January.
    let due = ok(d, &["due", "--within", "10", "--today", "2025-01-10"]);
    assert!(due.contains("2024-002") && due.contains("2025年1月20日") && !due.contains("2024-001"), "{due}");
    // Compile 2024 from the register: R1 = 2, R3 = 1 (R3.4.1), R4 = 1; the report checks clean.
    ok(d, &["compile", "--organ", "示例县科学技术局", "--year", "2024", "--to", "json", "--out", "2024.json"]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("2024.json")).unwrap()).unwrap();
    let t3 = |row: &str, col: &str| report["table3"][row][col]["value"].clone();
    assert_eq!(t3("R1", "TOT"), serde_json::json!(2), "{}", report["table3"]);
    assert_eq!(t3("R3.4.1", "NP"), serde_json::json!(1));
    assert_eq!(t3("R4", "LAW"), serde_json::json!(1));
    ok(d, &["render", "2024.json", "--to", "md", "--out", "2024.md"]);
    ok(d, &["render", "2024.json", "--to", "docx", "--out", "2024.docx"]);
    let check = gk(d, &["check", "2024.md", "--errors-only"]);
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    let check = gk(d, &["check", "2024.docx", "--errors-only"]);
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    // The region compile includes the department.
    let region = ok(d, &["compile", "--organ", "1", "--year", "2024", "--region", "--to", "json"]);
    let region: serde_json::Value = serde_json::from_str(&region).unwrap();
    assert_eq!(region["table3"]["R1"]["TOT"]["value"], serde_json::json!(2));

    // A fee paid is stated in section 六 of the compiled report (read from the register's fee
    // events, SPEC §4).
    ok(
        d,
        &[
            "register",
            "--organ",
            "2",
            "--serial",
            "2024-003",
            "--name",
            "王五",
            "--received",
            "2024-05-06",
            "--description",
            "某批量档案",
        ],
    );
    ok(d, &["event", "3", "--version", "1", "--type", "fee_notice", "--date", "2024-05-10", "--amount", "700"]);
    ok(d, &["event", "3", "--version", "2", "--type", "fee_paid", "--date", "2024-05-15"]);
    ok(d, &["event", "3", "--version", "3", "--type", "replied", "--date", "2024-05-30", "--outcome", "R3.1"]);
    let with_fee = ok(d, &["compile", "--organ", "2", "--year", "2024", "--to", "md"]);
    assert!(with_fee.contains("本年度对1件申请收取信息处理费，共计700元"), "{with_fee}");

    // The 台账: export (masked by default), import into another organ, refuse a bad sheet whole.
    ok(d, &["ledger", "export", "--organ", "2", "--out", "masked.csv"]);
    let masked = std::fs::read_to_string(d.join("masked.csv")).unwrap();
    assert!(masked.contains("张*") && !masked.contains("13812345678"), "{masked}");
    ok(d, &["ledger", "export", "--organ", "2", "--out", "t.xlsx", "--unmask"]);
    ok(d, &["organ", "add", "--name", "示例县民政局", "--parent", "1"]);
    let imported = ok(d, &["ledger", "import", "t.xlsx", "--organ", "3"]);
    assert!(imported.contains("已导入 3 件"), "{imported}");
    let again = gk(d, &["ledger", "import", "t.xlsx", "--organ", "3"]);
    assert_eq!(again.status.code(), Some(1));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("第2行") && err.contains("已登记") && err.contains("未导入任何一行"), "{err}");
    // The imported copy compiles to the same table 三.
    let copy = ok(d, &["compile", "--organ", "3", "--year", "2024", "--to", "json"]);
    let copy: serde_json::Value = serde_json::from_str(&copy).unwrap();
    let original = ok(d, &["compile", "--organ", "2", "--year", "2024", "--to", "json"]);
    let original: serde_json::Value = serde_json::from_str(&original).unwrap();
    assert!(copy["table3"] == original["table3"], "the imported ledger compiles to a different table 三");
    assert_eq!(copy["table3"]["R1"]["TOT"]["value"], serde_json::json!(3));

    // The reply letter, as DOCX in the official layout and as text.
    ok(
        d,
        &[
            "letter",
            "1",
            "--kind",
            "reply",
            "--out",
            "答复书.docx",
            "--review-body",
            "示例县人民政府",
            "--court",
            "示例县人民法院",
        ],
    );
    let docx = std::fs::read(d.join("答复书.docx")).unwrap();
    assert_eq!(&docx[..2], b"PK");
    ok(d, &["letter", "1", "--kind", "reply", "--out", "答复书.txt"]);
    let text = std::fs::read_to_string(d.join("答复书.txt")).unwrap();
    assert!(text.contains("第三十六条第（四）项") && text.contains("2024年11月15日"), "{text}");
    assert!(text.contains("依申请公开〔2024〕答第001号"), "the year once in the number: {text}");
    let refused = gk(d, &["letter", "2", "--kind", "reply", "--out", "x.docx"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("尚未答复"));
}
