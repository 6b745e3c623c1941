//! Black-box tests of the register commands on a SQLite register in a temporary folder.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

thread_local! {
    /// The "today" of the commands this test thread runs (`GONGKAI_TODAY`); none = the real one.
    static TODAY: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
}

/// Run this thread's following commands as if today were `d`.
fn today_is(d: &'static str) {
    TODAY.with(|t| t.set(Some(d)));
}

fn gk(db: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    c.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("GONGKAI_DB")
        .env_remove("GONGKAI_TODAY")
        .env("GONGKAI_ACTOR", "王科员");
    if let Some(d) = TODAY.with(|t| t.get()) {
        c.env("GONGKAI_TODAY", d);
    }
    c.output().unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = gk(db, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_str(&ok(db, &a)).unwrap()
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sub/register.db");
    // An explicit --db into a missing folder is refused: the folder is made here.
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    assert!(ok(&db, &["init"]).contains("登记簿已就绪"));
    assert!(db.exists());
    ok(&db, &["organ", "add", "--name", "某县人民政府", "--kind", "government", "--code", "000000001"]);
    ok(
        &db,
        &[
            "organ",
            "add",
            "--name",
            "某县科学技术局",
            "--parent",
            "1",
            "--code",
            "113400",
            "--pattern",
            "{code}-{yyyy}-{seq:3}",
        ],
    );
    (dir, db)
}

const PERSON: [&str; 14] = [
    "register",
    "--organ",
    "2",
    "--serial",
    "2024-001",
    "--name",
    "张三丰",
    "--phone",
    "13812345678",
    "--received",
    "2024-09-27",
    "--description",
    "某项目环评批复",
    "--channel",
];

#[test]
fn register_event_show_with_masking_and_versions() {
    let (_d, db) = setup();
    let mut args = PERSON.to_vec();
    args.push("online");
    let v = json(&db, &args);
    assert_eq!((v["id"].as_i64(), v["version"].as_i64(), v["due"].as_str()), (Some(1), Some(1), Some("2024-10-30")));
    // Duplicate 受理编号.
    let out = gk(&db, &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("受理编号“2024-001”在本机关已存在"));
    // Append with flags, then a stale version is refused.
    let v = json(
        &db,
        &[
            "event",
            "1",
            "--version",
            "1",
            "--type",
            "extended",
            "--date",
            "2024-10-30",
            "--days",
            "20",
            "--approver",
            "李某",
        ],
    );
    assert_eq!((v["version"].as_i64(), v["due"].as_str()), (Some(2), Some("2024-11-27")));
    let out = gk(&db, &["event", "1", "--version", "1", r#"{"event":"replied","date":"2024-11-01","outcome":"R3.1"}"#]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("记录已被他人修改（版本 1，当前 2），请刷新后重试"));
    // An invalid sequence carries the clock's reason, once.
    let out = gk(
        &db,
        &[
            "event",
            "1",
            "--version",
            "2",
            "--type",
            "extended",
            "--date",
            "2024-11-01",
            "--days",
            "3",
            "--approver",
            "李某",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("事件记录无效：第3个事件：答复期限只能延长一次"), "{err}");
    assert_eq!(err.matches("只能延长一次").count(), 1, "{err}");
    // Show: masked by default, with the explanation.
    let text = ok(&db, &["show", "1", "--today", "2024-11-20"]);
    assert!(text.contains("张**") && !text.contains("张三丰") && !text.contains("13812345678"), "{text}");
    assert!(text.contains("期限如何得出") && text.contains("国庆节"), "{text}");
    assert!(text.contains("剩余工作日（以2024年11月20日计）：5"), "{text}");
    let v = json(&db, &["show", "1", "--unmask", "--today", "2024-11-20"]);
    assert_eq!(v["application"]["applicant"]["name"], "张三丰");
    assert_eq!(v["days_left"], 5);
    assert!(v["explanation"].as_array().unwrap().len() >= 4);
    // Reply: no longer due.
    json(&db, &["event", "1", "--version", "2", "--type", "replied", "--date", "2024-11-21", "--outcome", "R3.2"]);
    let v = json(&db, &["due", "--within", "5", "--today", "2024-11-20"]);
    assert_eq!(v["items"].as_array().unwrap().len(), 0);
    // The history: three accepted writes by the acting clerk and the audited unmasked read
    // (between the extension and the reply), personal data masked.
    let v = json(&db, &["history", "1"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["actor"] == "王科员"));
    assert_eq!(rows[2]["after"]["disclosure"], "命令行 show --unmask");
    assert_eq!(rows[3]["after"]["version"], 3);
    assert!(!v.to_string().contains("张三丰"));
    let text = ok(&db, &["history", "1"]);
    assert!(text.contains("版本 1 → 2") && text.contains("查看个人信息（命令行 show --unmask）"), "{text}");
}

#[test]
fn due_lists_upcoming_and_overdue() {
    let (_d, db) = setup();
    for (serial, received) in [("A", "2024-09-02"), ("B", "2024-09-27"), ("C", "2024-11-01")] {
        ok(
            &db,
            &[
                "register",
                "--organ",
                "2",
                "--serial",
                serial,
                "--name",
                "某公司",
                "--applicant-kind",
                "商业企业",
                "--received",
                received,
                "--description",
                "x",
            ],
        );
    }
    // Today 2024-10-25: A (due 09-30) overdue, B (due 10-30) within 5 working days, C later.
    let v = json(&db, &["due", "--within", "5", "--today", "2024-10-25"]);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{v}");
    assert_eq!((items[0]["serial"].as_str(), items[0]["overdue"].as_bool()), (Some("A"), Some(true)));
    assert_eq!((items[1]["serial"].as_str(), items[1]["overdue"].as_bool()), (Some("B"), Some(false)));
    assert_eq!(items[1]["days_left"], 3);
    let text = ok(&db, &["due", "--within", "5", "--today", "2024-10-25", "--organ", "1"]);
    assert!(text.contains("已超期") && text.contains("剩 3 个工作日"), "{text}");
}

#[test]
fn catalogue_cases_counts() {
    let (_d, db) = setup();
    let v = json(&db, &["catalogue", "add", "--organ", "2", "--title", "关于某事的通知", "--issued", "2024-03-01"]);
    assert_eq!(v["index_no"], "113400-2024-001");
    let v = json(
        &db,
        &["catalogue", "add", "--organ", "2", "--kind", "规章", "--title", "某办法", "--issued", "2024-05-01"],
    );
    assert_eq!(v["index_no"], "113400-2024-002");
    json(&db, &["catalogue", "repeal", "1", "--version", "1", "--date", "2025-01-01"]);
    let v = json(&db, &["catalogue", "list", "--organ", "2"]);
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["repealed"], "2025-01-01");
    let v = json(
        &db,
        &["case", "add", "--organ", "2", "--kind", "review", "--number", "某复〔2024〕1号", "--filed", "2024-05-06"],
    );
    assert_eq!(v["version"], 1);
    let v = json(&db, &["case", "conclude", "1", "--version", "1", "--date", "2024-08-01", "--result", "corrected"]);
    assert_eq!(v["version"], 2);
    assert!(ok(&db, &["case", "list", "--organ", "2"]).contains("结果纠正"));
    json(&db, &["counts", "set", "--organ", "2", "--year", "2024", "--licences", "12", "--fee-wan", "4068.2080"]);
    let v = json(&db, &["counts", "show", "--organ", "2", "--year", "2024"]);
    assert_eq!(
        (v["licences"].as_i64(), v["penalties"].is_null(), v["fee_wan"].as_str()),
        (Some(12), true, Some("4068.2080"))
    );
    assert!(ok(&db, &["counts", "show", "--organ", "2", "--year", "2024"]).contains("行政处罚 （空白）"));
    let v = json(&db, &["organ", "list"]);
    assert_eq!(v[1]["parent"], 1);
}

#[test]
fn missing_database_default_location_and_postgres_without_feature() {
    let dir = tempfile::tempdir().unwrap();
    let out = gk(&dir.path().join("nope.db"), &["organ", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("请先运行 gongkai init"));
    // GONGKAI_DB and the XDG default.
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["init"])
        .env_remove("GONGKAI_DB")
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("gongkai/gongkai.db").exists());
    let env_db = dir.path().join("env.db");
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai")).args(["init"]).env("GONGKAI_DB", &env_db).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(env_db.exists());
    if !cfg!(feature = "postgres") {
        let out = gk(Path::new("postgres://nobody@localhost/none"), &["organ", "list"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--features postgres"));
    }
    let help = String::from_utf8(
        Command::new(env!("CARGO_BIN_EXE_gongkai")).args(["init", "--help"]).output().unwrap().stdout,
    )
    .unwrap();
    assert!(help.contains("gongkai/gongkai.db") && help.contains("GONGKAI_DB"), "{help}");
}

/// The State Council's 2027 notice as a clerk would paste it (dates invented for the test,
/// shaped like the real notices).
const NOTICE_2027: &str = "国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（周五）放假调休，共8天。2月14日（周日）、2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天。
六、中秋节：9月15日（周三）放假1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
";

fn register_on_28_december(db: &Path) {
    // The register refuses future dates: today is the 28th.
    today_is("2026-12-28");
    let v = json(
        db,
        &[
            "register",
            "--organ",
            "2",
            "--serial",
            "2026-100",
            "--name",
            "张三",
            "--received",
            "2026-12-28",
            "--description",
            "某文件",
        ],
    );
    // No 2027 notice yet: weekends only, flagged.
    assert_eq!(v["due"], "2027-01-25");
    assert_eq!(v["provisional"], serde_json::json!([2027]));
    let text = ok(db, &["show", "1", "--today", "2026-12-28"]);
    assert!(text.contains("2027年放假安排尚未导入，暂按周末计算"), "{text}");
    let due = json(db, &["due", "--within", "30", "--today", "2026-12-28"]);
    assert_eq!(due["items"][0]["provisional"], true);
    assert!(ok(db, &["due", "--within", "30", "--today", "2026-12-28"]).contains("期限 2027年1月25日（暂定）"));
}

#[test]
fn a_2027_due_date_is_provisional_until_the_notice_text_is_imported() {
    let (dir, db) = setup();
    register_on_28_december(&db);
    let notice = dir.path().join("2027年放假通知.txt");
    std::fs::write(&notice, NOTICE_2027).unwrap();
    let out = ok(&db, &["calendar", "import", notice.to_str().unwrap()]);
    assert!(out.contains("已导入2027年放假安排") && out.contains("重新计算了 1 件"), "{out}");
    // 1 January 2027 is a holiday now: the 20th working day is the 26th.
    let due = json(&db, &["due", "--within", "30", "--today", "2026-12-28"]);
    assert_eq!(due["items"][0]["due"], "2027-01-26");
    assert_eq!(due["items"][0]["provisional"], false);
    assert_eq!(due["provisional_years"], serde_json::json!([]));
    let show = ok(&db, &["show", "1", "--today", "2026-12-28"]);
    assert!(!show.contains("暂按周末计算"), "{show}");
    // Every command sees the imported year, with no rebuild.
    assert!(ok(&db, &["calendar", "is-workday", "2027-02-08"]).contains("非工作日（法定节假日（春节））"));
    // The import is audited.
    let h = json(&db, &["history", "--entity", "calendar", "2027"]);
    assert_eq!(h.as_array().unwrap().len(), 1);
    assert_eq!(h[0]["actor"], "王科员");
}

#[test]
fn a_2027_due_date_is_recomputed_from_a_holidays_tsv_too() {
    let (dir, db) = setup();
    register_on_28_december(&db);
    let tsv = dir.path().join("2027.tsv");
    std::fs::write(&tsv, "date\tkind\tname\n2027-01-01\tholiday\t元旦\n2027-02-08\tholiday\t春节\n").unwrap();
    let out = ok(&db, &["calendar", "import", tsv.to_str().unwrap()]);
    assert!(out.contains("重新计算了 1 件"), "{out}");
    let due = json(&db, &["due", "--within", "30", "--today", "2026-12-28"]);
    assert_eq!(due["items"][0]["due"], "2027-01-26");
}

#[test]
fn an_incomplete_or_broken_notice_is_refused_and_nothing_changes() {
    let (dir, db) = setup();
    register_on_28_december(&db);
    let partial = dir.path().join("partial.txt");
    std::fs::write(&partial, "国务院办公厅关于2027年部分节假日安排的通知\n二、春节：2月5日至12日放假调休，共8天。")
        .unwrap();
    let out = gk(&db, &["calendar", "import", partial.to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("不完整") && err.contains("元旦"), "{err}");
    let typo = dir.path().join("typo.txt");
    std::fs::write(&typo, NOTICE_2027.replace("2月14日（周日）", "2月14日（周六）")).unwrap();
    let out = gk(&db, &["calendar", "import", typo.to_str().unwrap()]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("春节") && err.contains("2027-02-14"), "{err}");
    let due = json(&db, &["due", "--within", "30", "--today", "2026-12-28"]);
    assert_eq!(due["items"][0]["provisional"], true);
}
