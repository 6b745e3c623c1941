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
    // Without --channel: the same default a blank ledger 提交方式 takes.
    assert_eq!(json(&db, &["show", "1"])["application"]["channel"], "online");
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

// ------------------------------------------------------------------ the clerk's words (issue 15)

fn err(db: &Path, args: &[&str]) -> String {
    let out = gk(db, args);
    assert_eq!(out.status.code(), Some(2), "{args:?} should fail: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

fn register_one(db: &Path, serial: &str, received: &str) {
    let mut args = PERSON.to_vec();
    args[4] = serial;
    args[10] = received;
    args.push("当面");
    ok(db, &args);
}

/// Outcomes, event types, channels, forms and organ kinds by the words clerks use (the ledger's
/// parsers); a reply without an outcome and an ambiguous wording are refused in Chinese.
#[test]
fn outcomes_kinds_and_channels_in_the_clerks_words() {
    let (_d, db) = setup();
    today_is("2024-12-31");
    register_one(&db, "2024-001", "2024-09-27");
    let v = json(&db, &["show", "1"]);
    assert_eq!(v["application"]["events"][0]["channel"], "in_person");
    assert_eq!(v["application"]["form"], "paper", "the ledger's default form");
    let e = err(&db, &["event", "1", "--version", "1", "--type", "replied", "--date", "2024-10-20"]);
    assert!(e.contains("答复事件须用 --outcome 给出办理结果") && e.contains("予以公开"), "{e}");
    let e =
        err(&db, &["event", "1", "--version", "1", "--type", "答复", "--date", "2024-10-20", "--outcome", "不予公开"]);
    assert!(e.contains("不能确定是哪一项办理结果") && e.contains("R3.3.1"), "{e}");
    let e = err(&db, &["event", "1", "--version", "1", "--type", "回复", "--date", "2024-10-20"]);
    assert!(e.contains("事件类型“回复”无法识别") && e.contains("答复（replied）"), "{e}");
    ok(
        &db,
        &[
            "event",
            "1",
            "--version",
            "1",
            "--type",
            "答复",
            "--date",
            "2024-10-20",
            "--outcome",
            "本机关不掌握相关政府信息",
        ],
    );
    let v = json(&db, &["show", "1"]);
    assert_eq!(v["application"]["events"][1]["outcome"], "R3.4.1");
    // Event JSON mistakes in Chinese too.
    let e = err(&db, &["event", "1", "--version", "2", r#"{"event":"fee_notice"}"#]);
    assert!(e.contains("事件的内容不符合要求：缺少字段“date”"), "{e}");
    let e = err(&db, &["event", "1", "--version", "2", r#"{"event":"#]);
    assert!(e.contains("事件 JSON 无法解析：内容不完整"), "{e}");
    // Organ kinds in Chinese; one name per parent; an ambiguous --organ NAME is refused.
    ok(&db, &["organ", "add", "--name", "某镇人民政府", "--kind", "乡镇", "--parent", "某县人民政府"]);
    let organs = json(&db, &["organ", "list"]);
    assert_eq!(organs[2]["kind"], "township");
    assert_eq!(organs[2]["parent"], 1);
    let e = err(&db, &["organ", "add", "--name", "某县科学技术局", "--parent", "1", "--kind", "部门"]);
    assert!(e.contains("已有名为“某县科学技术局”的机关（编号 2）") && e.contains("不能重复"), "{e}");
    let e = err(&db, &["organ", "add", "--name", "某局", "--kind", "委员会"]);
    assert!(e.contains("机关类型“委员会”无法识别"), "{e}");
    // The same name under another parent is allowed; then the name alone is ambiguous.
    ok(&db, &["organ", "add", "--name", "某县科学技术局", "--parent", "3", "--kind", "政府部门"]);
    let e = err(&db, &["due", "--organ", "某县科学技术局"]);
    assert!(e.contains("名为“某县科学技术局”的机关不止一个（编号 2、4）"), "{e}");
    let by_name = json(&db, &["catalogue", "list", "--organ", "某镇人民政府"]);
    assert!(by_name.as_array().unwrap().is_empty());
}

/// The audit trail names the actor (`--actor`, else GONGKAI_ACTOR, else the OS user) and shows
/// times in Beijing time.
#[test]
fn the_audit_trail_has_a_real_actor_and_beijing_time() {
    let (_d, db) = setup();
    register_one(&db, "2024-001", "2024-09-27");
    ok(&db, &["--actor", "李科长", "event", "1", "--version", "1", "--type", "撤回", "--date", "2024-10-08"]);
    let mut c = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    let o = c
        .args(["--db", db.to_str().unwrap(), "event", "1", "--version", "2", "--type", "replied"])
        .args(["--date", "2024-10-09", "--outcome", "R3.1"])
        .env_remove("GONGKAI_ACTOR")
        .env("USER", "os-user")
        .output()
        .unwrap();
    // (refused by the clock: a withdrawn application takes no reply; the actor is not the point)
    assert_eq!(o.status.code(), Some(2));
    let h = json(&db, &["history", "1"]);
    let actors: Vec<&str> = h.as_array().unwrap().iter().map(|r| r["actor"].as_str().unwrap()).collect();
    assert_eq!(actors, ["王科员", "李科长"]);
    ok(&db, &["organ", "add", "--name", "某乡", "--kind", "乡镇", "--parent", "1"]);
    let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["--db", db.to_str().unwrap(), "organ", "add", "--name", "某街道", "--kind", "街道", "--parent", "1"])
        .env_remove("GONGKAI_ACTOR")
        .env_remove("USER")
        .env_remove("LOGNAME")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let h = json(&db, &["history", "--entity", "organ", "4"]);
    // Neither --actor nor GONGKAI_ACTOR: the operating system's account, even without USER.
    match Command::new("id").arg("-un").output() {
        Ok(id) if id.status.success() => {
            assert_eq!(h[0]["actor"], String::from_utf8_lossy(&id.stdout).trim(), "the OS account");
        }
        _ => gongkai_testkit::skipped("naming the OS account exactly", "`id -un` is not available"),
    }
    assert_ne!(h[0]["actor"], "本机用户（用户名未知）");
    // Stored in UTC, shown in Beijing time.
    let at: jiff::Timestamp = h[0]["at"].as_str().unwrap().parse().unwrap();
    let shown = at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y-%m-%d %H:%M:%S").to_string();
    let text = ok(&db, &["history", "--entity", "organ", "4"]);
    assert!(text.contains(&format!("{shown}（北京时间）")), "{shown}: {text}");
}

/// Letters: the state decides, sending a notice records its event, the number states the year
/// once, .pdf is converted or refused, `-` is standard output, nothing is overwritten.
#[test]
fn letters_fit_the_state_and_record_their_event() {
    let (d, db) = setup();
    today_is("2024-10-08");
    register_one(&db, "2024-001", "2024-09-27");
    let out = |n: &str| d.path().join(n).to_str().unwrap().to_string();
    let fee = out("fee.docx");
    let t = ok(&db, &["letter", "1", "--kind", "fee", "--pages", "300", "--out", &fee]);
    assert!(t.contains("费第001号") && t.contains("已记入事件记录（收费通知，申请现为版本 2）"), "{t}");
    let v = json(&db, &["show", "1"]);
    assert_eq!(v["application"]["events"][1]["event"], "fee_notice");
    assert_eq!(v["application"]["events"][1]["amount"], 6700);
    // Written again (a reprint of the pending notice): refused over the file, then nothing new.
    let e = err(&db, &["letter", "1", "--kind", "fee", "--pages", "300", "--out", &fee]);
    assert!(e.contains("已存在，未覆盖；如要覆盖请加 --force"), "{e}");
    let t = ok(&db, &["letter", "1", "--kind", "fee", "--pages", "300", "--out", &fee, "--force"]);
    assert!(t.contains("已记入修改记录"), "{t}");
    assert_eq!(json(&db, &["show", "1"])["application"]["version"], 2);
    ok(&db, &["event", "1", "--version", "2", "--type", "已缴费", "--date", "2024-10-08"]);
    today_is("2024-10-21");
    ok(&db, &["event", "1", "--version", "3", "--type", "答复", "--date", "2024-10-21", "--outcome", "予以公开"]);
    // A fee notice for an answered application does not fit: refused, or written with a warning.
    let e = err(&db, &["letter", "1", "--kind", "fee", "--pages", "300", "--out", &out("fee2.docx")]);
    assert!(e.contains("已于2024年10月21日办结") && e.contains("--despite-state"), "{e}");
    assert!(!d.path().join("fee2.docx").exists());
    let o = gk(&db, &["letter", "1", "--kind", "fee", "--pages", "300", "--out", &out("fee2.docx"), "--despite-state"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("警告：申请 1 已于2024年10月21日办结"));
    assert_eq!(json(&db, &["show", "1"])["application"]["version"], 4, "nothing recorded");
    // The reply: JSON, standard output, refused extensions, PDF.
    let v = json(&db, &["letter", "1", "--kind", "reply"]);
    assert_eq!(v["letter"]["number"], "某县科学技术局依申请公开〔2024〕答第001号");
    let o = gk(&db, &["letter", "1", "--kind", "reply", "--out", "-"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.starts_with(b"PK"), "DOCX on standard output");
    let o = gk(&db, &["letter", "1", "--kind", "reply", "--out", "-", "--to", "txt"]);
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .starts_with("政府信息公开申请答复书\n某县科学技术局依申请公开〔2024〕答第001号")
    );
    let e = err(&db, &["letter", "1", "--kind", "reply", "--out", &out("r.doc")]);
    assert!(e.contains("扩展名应为 .docx、.txt 或 .pdf"), "{e}");
    let pdf = out("r.pdf");
    let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["--db", db.to_str().unwrap(), "letter", "1", "--kind", "reply", "--out", &pdf])
        .env("PATH", "")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("未找到 LibreOffice（soffice），无法生成 PDF"));
    assert!(!Path::new(&pdf).exists(), "never a DOCX under a .pdf name");
    let has_soffice =
        std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("soffice").is_file()));
    if has_soffice {
        ok(&db, &["letter", "1", "--kind", "reply", "--out", &pdf]);
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    } else {
        gongkai_testkit::skipped("the letter's PDF conversion", "LibreOffice (soffice) is not installed");
    }
}

/// `--db` into a missing folder is refused (the default place is created, private); a register
/// the user may only read can still be read.
#[test]
fn missing_folders_are_refused_and_read_only_registers_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/g.db");
    let e = err(&missing, &["init"]);
    assert!(e.contains("目录") && e.contains("不存在") && e.contains("未创建登记簿"), "{e}");
    assert!(!dir.path().join("no").exists());
    let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("init")
        .env_remove("GONGKAI_DB")
        .env("XDG_DATA_HOME", dir.path().join("xdg"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("xdg/gongkai")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        // A read-only register: as root, run as nobody (permissions do not bind root).
        let (_d2, db) = setup();
        std::fs::set_permissions(db.parent().unwrap(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(_d2.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
        let root =
            std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false);
        let run = |args: &[&str]| {
            let mut c = if root {
                let mut c = Command::new("setpriv");
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_gongkai")]);
                c
            } else {
                Command::new(env!("CARGO_BIN_EXE_gongkai"))
            };
            c.arg("--db").arg(&db).args(args).env("GONGKAI_ACTOR", "监督员").output().unwrap()
        };
        let o = run(&["organ", "list"]);
        if root && o.status.code() != Some(0) && String::from_utf8_lossy(&o.stderr).contains("setpriv") {
            gongkai_testkit::skipped("the read-only register half", "setpriv is needed to drop root");
            return;
        }
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("某县科学技术局"));
        assert!(String::from_utf8_lossy(&o.stderr).contains("只读"));
        let o = run(&["organ", "add", "--name", "新机关"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("是只读的（没有写入权限），不能修改"));
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(!ok(&db, &["organ", "list"]).contains("新机关"));
    }
}

/// `ledger export` and `ledger import` speak JSON for programs: the count and masking of an
/// export; the refusal of an import with every row error (personal values masked), exit 1.
#[test]
fn ledger_import_and_export_report_in_json() {
    let (dir, db) = setup();
    register_one(&db, "2024-001", "2024-09-27");
    let out = dir.path().join("台账.csv");
    let v = json(&db, &["ledger", "export", "--organ", "2", "--out", out.to_str().unwrap()]);
    assert_eq!((v["count"].as_u64(), v["masked"].as_bool()), (Some(1), Some(true)), "{v}");
    assert_eq!(v["out"].as_str(), out.to_str());
    // The masked export cannot come back in: refused, in JSON, nothing written.
    let o = gk(&db, &["ledger", "import", out.to_str().unwrap(), "--organ", "2", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["result"], "refused", "{v}");
    let errors = v["errors"].as_array().unwrap();
    assert!(!errors.is_empty(), "{v}");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("张三丰"), "personal data in the JSON: {v}");
    assert_ne!(gk(&db, &["show", "2"]).status.code(), Some(0), "nothing was imported");
}
