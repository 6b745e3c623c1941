//! The clerk's register commands: `init`, `organ`, `register`, `event`, `show`, `due`,
//! `catalogue`, `case`, `counts` (and `store-bench`). They open the register named by
//! `--db PATH|URL`, else `GONGKAI_DB`, else the default file (see [`gongkai_store_open::default_path`]), and go
//! through the `Store` trait only: this module knows no SQL.

use anyhow::{Context, Result, anyhow, bail};
use gongkai_app::{App, Principal};
use gongkai_clock::Event;
use gongkai_register::{
    AppId, Applicant, ApplicantKind, CaseId, CaseKind, CaseResult, CatalogueKind, EntryId, OrganId, OrganKind,
    RequestedForm, YearlyCounts,
};
use gongkai_store::{NewApplication, NewCase, NewCatalogueEntry, NewOrgan, Store};
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::safe::esc;

/// Help text shared by the commands: where the register is.
const DB_HELP: &str = "登记簿位置：--db 文件路径或 postgres:// 地址；未给出时用环境变量 GONGKAI_DB；\
再未给出时用 $XDG_DATA_HOME/gongkai/gongkai.db（未设 XDG_DATA_HOME 时为 ~/.local/share/gongkai/gongkai.db）";

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fmt {
    Text,
    Json,
}

/// The register commands, flattened into the top-level command list.
#[derive(clap::Subcommand, Debug)]
pub enum StoreCmd {
    /// 创建（或升级）登记簿数据库。默认位置 $XDG_DATA_HOME/gongkai/gongkai.db（或 ~/.local/share/gongkai/gongkai.db）；可用 --db 或 GONGKAI_DB 指定文件或 postgres:// 地址
    #[command(after_help = DB_HELP)]
    Init {
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 机关：添加、列出
    #[command(after_help = DB_HELP)]
    Organ {
        #[command(subcommand)]
        cmd: OrganCmd,
    },
    /// 登记一件政府信息公开申请（受理），输出编号与答复期限
    #[command(after_help = DB_HELP)]
    Register(RegisterArgs),
    /// 为申请追加一个事件（JSON 或选项），须给出当前版本号 --version
    #[command(after_help = DB_HELP)]
    Event(EventArgs),
    /// 查看一件申请：事件记录、答复期限及其计算说明（默认隐去个人信息）
    #[command(after_help = DB_HELP)]
    Show {
        /// 申请编号
        id: i64,
        /// 显示申请人个人信息（仅限有权查看的人员）
        #[arg(long)]
        unmask: bool,
        /// 以哪一天计算剩余工作日（默认今天）
        #[arg(long)]
        today: Option<String>,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 到期提醒：N 个工作日内到期的申请（含已超期）
    #[command(after_help = DB_HELP)]
    Due {
        /// 工作日数
        #[arg(long, default_value_t = 5)]
        within: u32,
        /// 只看此机关及其下级机关
        #[arg(long)]
        organ: Option<i64>,
        /// 以哪一天为今天（默认今天）
        #[arg(long)]
        today: Option<String>,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 政府信息公开目录：添加（自动生成索引号）、废止、列出
    #[command(after_help = DB_HELP)]
    Catalogue {
        #[command(subcommand)]
        cmd: CatalogueCmd,
    },
    /// 行政复议、行政诉讼案件：添加、审结、列出
    #[command(after_help = DB_HELP)]
    Case {
        #[command(subcommand)]
        cmd: CaseCmd,
    },
    /// 年度数量（表二：许可、处罚、强制决定数，收费金额万元）：设置、查看
    #[command(after_help = DB_HELP)]
    Counts {
        #[command(subcommand)]
        cmd: CountsCmd,
    },
    /// 修改记录（审计日志）：谁、何时、改前、改后（个人信息默认隐去）
    #[command(after_help = DB_HELP)]
    History {
        /// 记录类型：application、organ、catalogue_entry、case、yearly_counts、calendar（放假安排，编号为年份）
        #[arg(long, default_value = "application")]
        entity: String,
        /// 记录编号（年度数量为 机关编号/年份，如 2/2024）
        id: String,
        #[arg(long)]
        unmask: bool,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 登记簿性能测试：批量载入生成的申请，测量到期查询和年度查询（写入新数据库）
    StoreBench(crate::store_bench::BenchArgs),
}

#[derive(clap::Subcommand, Debug)]
pub enum OrganCmd {
    /// 添加机关
    Add {
        /// 机关全称
        #[arg(long)]
        name: String,
        /// 类型：region（行政区域）、government（人民政府）、department（政府部门）、township（乡镇街道）
        #[arg(long, default_value = "department")]
        kind: String,
        /// 上级机关编号
        #[arg(long)]
        parent: Option<i64>,
        /// 机构代码（用于索引号）
        #[arg(long, default_value = "")]
        code: String,
        /// 索引号模式，如 {code}/{yyyy}-{seq:5}（默认即此）
        #[arg(long)]
        pattern: Option<String>,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 列出全部机关
    List {
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
}

#[derive(clap::Args, Debug)]
pub struct RegisterArgs {
    /// 受理机关编号
    #[arg(long)]
    organ: i64,
    /// 受理编号（本机关内唯一）
    #[arg(long)]
    serial: String,
    /// 申请人类型：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他（或 NP、BIZ …）
    #[arg(long = "applicant-kind", default_value = "自然人")]
    applicant_kind: String,
    /// 申请人姓名或名称
    #[arg(long)]
    name: String,
    /// 身份证号或统一社会信用代码
    #[arg(long)]
    id_number: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// 提交方式：in_person（当面）、post（邮寄）、letter（平常信函）、online（互联网）、fax（传真）
    #[arg(long, default_value = "online")]
    channel: String,
    /// 收到申请之日（第三十一条），YYYY-MM-DD
    #[arg(long)]
    received: String,
    /// 申请内容描述
    #[arg(long)]
    description: String,
    /// 获取信息的方式：paper、electronic、inspection、copying
    #[arg(long, default_value = "electronic")]
    form: String,
    #[arg(long, value_enum, default_value_t = Fmt::Text)]
    format: Fmt,
}

#[derive(clap::Args, Debug)]
pub struct EventArgs {
    /// 申请编号
    id: i64,
    /// 您看到的版本号（防止覆盖他人的修改）
    #[arg(long)]
    version: i64,
    /// 事件 JSON，如 {"event":"replied","date":"2024-10-20","outcome":"R3.1"}；也可用下列选项
    json: Option<String>,
    /// 事件类型：replied、withdrawn、extended、correction_requested、correction_received、
    /// correction_expired、consultation_started、consultation_answered、fee_notice、fee_paid、fee_not_paid、agreed_date
    #[arg(long = "type")]
    kind: Option<String>,
    /// 事件日期
    #[arg(long)]
    date: Option<String>,
    /// 答复结果（表三行号，如 R3.1、R3.3.4）
    #[arg(long)]
    outcome: Option<String>,
    /// 延长的工作日数
    #[arg(long)]
    days: Option<u32>,
    /// 批准延长的负责人
    #[arg(long)]
    approver: Option<String>,
    /// 征求意见对象：third_party、co_producer
    #[arg(long)]
    party: Option<String>,
    /// 第三十五条约定的答复日期
    #[arg(long)]
    due: Option<String>,
    /// 收费金额（元）
    #[arg(long)]
    amount: Option<u64>,
    #[arg(long, value_enum, default_value_t = Fmt::Text)]
    format: Fmt,
}

#[derive(clap::Subcommand, Debug)]
pub enum CatalogueCmd {
    /// 添加目录条目，索引号按机关的索引号模式自动生成
    Add {
        #[arg(long)]
        organ: i64,
        /// rule（规章）、normative（行政规范性文件）、other
        #[arg(long, default_value = "normative")]
        kind: String,
        #[arg(long)]
        title: String,
        /// 文号
        #[arg(long, default_value = "")]
        doc_number: String,
        /// 成文/发布日期
        #[arg(long)]
        issued: String,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 废止目录条目
    Repeal {
        id: i64,
        #[arg(long)]
        version: i64,
        #[arg(long)]
        date: String,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 列出一个机关的目录
    List {
        #[arg(long)]
        organ: i64,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum CaseCmd {
    /// 添加案件
    Add {
        #[arg(long)]
        organ: i64,
        /// review（行政复议）、direct_litigation（未经复议直接起诉）、litigation_after_review（复议后起诉）
        #[arg(long)]
        kind: String,
        /// 案号
        #[arg(long, default_value = "")]
        number: String,
        #[arg(long)]
        filed: String,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 审结案件
    Conclude {
        id: i64,
        #[arg(long)]
        version: i64,
        #[arg(long)]
        date: String,
        /// maintained（维持）、corrected（纠正）、other（其他）
        #[arg(long)]
        result: String,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 列出案件
    List {
        #[arg(long)]
        organ: i64,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum CountsCmd {
    /// 设置（覆盖）某机关某年的数量；未给出的项为空白（不是 0）
    Set {
        #[arg(long)]
        organ: i64,
        #[arg(long)]
        year: i16,
        #[arg(long)]
        licences: Option<u64>,
        #[arg(long)]
        penalties: Option<u64>,
        #[arg(long)]
        coercions: Option<u64>,
        /// 收费金额（万元，小数）
        #[arg(long)]
        fee_wan: Option<String>,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 查看某机关某年的数量
    Show {
        #[arg(long)]
        organ: i64,
        #[arg(long)]
        year: i16,
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
}

/// `--db`, else `GONGKAI_DB`, else the default file.
pub fn db_spec(flag: Option<&str>) -> String {
    gongkai_store_open::location(flag)
}

pub use gongkai_store_open::is_postgres;

/// Open the register through the library's factory ([`gongkai_store_open::open`]); its
/// warnings (register files others may read) go to stderr. `create`: make the SQLite file
/// (and its folder), private, if missing.
pub fn open(spec: &str, create: bool) -> Result<Box<dyn Store>> {
    let opened = gongkai_store_open::open(spec, create)?;
    for w in &opened.warnings {
        eprintln!("gongkai: {w}");
    }
    Ok(opened.store)
}

pub fn actor() -> String {
    std::env::var("GONGKAI_ACTOR")
        .or_else(|_| std::env::var("USER"))
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "gongkai".into())
}

fn date(s: &str) -> Result<Date> {
    Ok(gongkai_register::validate::date("日期", s)?)
}

/// The date given, else `GONGKAI_TODAY` (for replaying back-office work and for tests), else
/// today in China (UTC+8).
pub fn today(s: Option<&str>) -> Result<Date> {
    match s {
        Some(s) => date(s),
        None => match std::env::var("GONGKAI_TODAY") {
            Ok(v) if !v.trim().is_empty() => date(v.trim()).context("环境变量 GONGKAI_TODAY"),
            _ => Ok(gongkai_app::today_in_china()),
        },
    }
}

/// Parse a snake_case enum value the way JSON spells it.
fn choice<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_value(Value::String(s.trim().to_string())).map_err(|_| anyhow!("{what}“{s}”无法识别"))
}

fn emit(fmt: Fmt, value: Value, text: String) -> Result<u8> {
    match fmt {
        Fmt::Json => println!("{}", serde_json::to_string_pretty(&value)?),
        Fmt::Text => println!("{text}"),
    }
    Ok(0)
}

fn opt_date(d: Option<Date>) -> String {
    d.map(gongkai_clock::zh_date).unwrap_or_else(|| "—".into())
}

/// Run a register command.
pub fn run(cmd: StoreCmd, db: Option<&str>) -> Result<u8> {
    let spec = db_spec(db);
    match cmd {
        StoreCmd::Init { format } => {
            let s = open(&spec, true)?;
            let where_ = gongkai_store_open::shown(&spec);
            emit(
                format,
                json!({ "db": where_, "backend": s.backend() }),
                format!("登记簿已就绪：{where_}（{}）", s.backend()),
            )
        }
        StoreCmd::StoreBench(args) => crate::store_bench::run(&args, db),
        other => {
            let mut s = open(&spec, false)?;
            run_on(&mut *s, other)
        }
    }
}

fn organ_kind(s: &str) -> Result<OrganKind> {
    match s.trim() {
        "行政区域" => Ok(OrganKind::Region),
        "人民政府" => Ok(OrganKind::Government),
        "政府部门" => Ok(OrganKind::Department),
        "乡镇" | "街道" | "乡镇（街道）" => Ok(OrganKind::Township),
        other => choice("机关类型", other),
    }
}

fn run_on(s: &mut dyn Store, cmd: StoreCmd) -> Result<u8> {
    let mut app = App::new(s, Principal::local(actor()));
    match cmd {
        StoreCmd::Init { .. } | StoreCmd::StoreBench(_) => unreachable!("handled by run"),
        StoreCmd::Organ { cmd: OrganCmd::Add { name, kind, parent, code, pattern, format } } => {
            let o = app.add_organ(&NewOrgan {
                name,
                kind: organ_kind(&kind)?,
                parent: parent.map(OrganId),
                code,
                index_pattern: pattern,
            })?;
            let text = format!("已添加机关 {}：{}", o.id.0, esc(&o.name));
            emit(format, serde_json::to_value(&o)?, text)
        }
        StoreCmd::Organ { cmd: OrganCmd::List { format } } => {
            let organs = app.organs()?;
            let text = organs
                .iter()
                .map(|o| {
                    let parent = o.parent.map(|p| format!("，上级 {}", p.0)).unwrap_or_default();
                    format!("{:>6}  {}（{}{parent}）", o.id.0, esc(&o.name), o.kind.label())
                })
                .collect::<Vec<_>>()
                .join("\n");
            emit(format, serde_json::to_value(&organs)?, if text.is_empty() { "（尚无机关）".into() } else { text })
        }
        StoreCmd::Register(a) => {
            let kind = ApplicantKind::parse(&a.applicant_kind)
                .ok_or_else(|| anyhow!("申请人类型“{}”无法识别", a.applicant_kind))?;
            let new = NewApplication {
                organ: OrganId(a.organ),
                serial: a.serial,
                applicant: Applicant {
                    kind,
                    name: a.name,
                    id_number: a.id_number,
                    phone: a.phone,
                    address: a.address,
                    email: a.email,
                },
                description: a.description,
                form: choice::<RequestedForm>("获取方式", &a.form)?,
                events: vec![Event::Received {
                    date: date(&a.received)?, channel: choice("提交方式", &a.channel)?
                }],
            };
            let v = app.register(&new, today(None)?)?;
            let text = format!(
                "已登记申请 {}（受理编号 {}，版本 {}），答复期限 {}{}",
                v.id.0,
                esc(&v.serial),
                v.version,
                opt_date(v.due),
                provisional_text(&v.provisional)
            );
            emit(a.format, serde_json::to_value(&v)?, text)
        }
        StoreCmd::Event(a) => {
            let event = event_of(&a)?;
            let v = app.record_event(AppId(a.id), a.version, &event, today(None)?)?;
            let text = format!(
                "申请 {} 已记录第{}个事件，现为版本 {}；{}{}",
                v.id.0,
                v.events,
                v.version,
                v.state_text,
                provisional_text(&v.provisional)
            );
            emit(
                a.format,
                json!({ "id": v.id, "version": v.version, "events": v.events, "due": v.due,
                    "state": v.state, "provisional": v.provisional }),
                text,
            )
        }
        StoreCmd::Show { id, unmask, today: t, format } => {
            let day = today(t.as_deref())?;
            let v = app.show(AppId(id), unmask.then_some("命令行 show --unmask"), day)?;
            let (app_, clock) = (&v.application, &v.clock);
            let a = &app_.applicant;
            let mut text = format!(
                "申请 {}（受理编号 {}，机关 {}，版本 {}）\n申请人：{}（{}）",
                app_.id.0,
                esc(&app_.serial),
                app_.organ.0,
                app_.version,
                esc(&a.name),
                a.kind.label()
            );
            for (label, v) in [("证件号", &a.id_number), ("电话", &a.phone), ("地址", &a.address), ("邮箱", &a.email)]
            {
                if let Some(v) = v {
                    text.push_str(&format!("，{label} {}", esc(v)));
                }
            }
            text.push_str(&format!(
                "\n内容：{}\n获取方式：{}\n状态：{}",
                esc(&app_.description),
                app_.form.label(),
                esc(&v.state_text)
            ));
            if let Some(n) = v.days_left {
                text.push_str(&format!(
                    "\n剩余工作日（以{}计）：{}",
                    gongkai_clock::zh_date(day),
                    if n < 0 { format!("已超期 {} 个工作日", -n) } else { n.to_string() }
                ));
            }
            text.push_str("\n期限如何得出：\n");
            // The explanation quotes stored text (an approver's name): escaped line by line.
            text.push_str(&v.explain.lines().map(|l| esc(l).into_owned()).collect::<Vec<_>>().join("\n"));
            let value = json!({
                "application": app_,
                "state": clock.state,
                "due": clock.due,
                "late": clock.late,
                "overdue": v.overdue,
                "days_left": v.days_left,
                "explanation": clock.steps,
                "warnings": clock.warnings,
                "provisional": clock.provisional,
            });
            emit(format, value, text)
        }
        StoreCmd::Due { within, organ, today: t, format } => {
            let v = app.due(within, organ.map(OrganId), today(t.as_deref())?)?;
            let mut text =
                format!("{}前（{}个工作日内）到期及已超期的申请：", gongkai_clock::zh_date(v.until), v.within);
            for it in &v.items {
                let mark = match it.days_left {
                    _ if it.overdue => format!("已超期 {} 个工作日", it.days_left.map(|n| -n).unwrap_or_default()),
                    Some(0) => "今天到期".to_string(),
                    Some(n) => format!("剩 {n} 个工作日"),
                    None => String::new(),
                };
                text.push_str(&format!(
                    "\n{:>8}  {}  机关 {}  期限 {}{}  {mark}",
                    it.id.0,
                    esc(&it.serial),
                    it.organ.0,
                    gongkai_clock::zh_date(it.due),
                    if it.provisional { "（暂定）" } else { "" }
                ));
            }
            if v.items.is_empty() {
                text.push_str("\n（无）");
            }
            let provisional = v.items.iter().filter(|i| i.provisional).count();
            if provisional > 0 || !v.provisional_years.is_empty() {
                text.push_str(&format!(
                    "\n其中 {provisional} 件的期限为暂定：{}",
                    provisional_notes(&v.provisional_years)
                ));
            }
            emit(
                format,
                json!({ "today": v.today, "until": v.until, "items": v.items, "provisional_years": v.provisional_years }),
                text,
            )
        }
        StoreCmd::History { entity, id, unmask, format } => {
            let entity: gongkai_store::Entity = choice("记录类型", &entity)?;
            let rows = app.history(entity, &id, unmask.then_some("命令行 history --unmask"))?;
            let text = rows
                .iter()
                .map(|r| {
                    format!("{:>8}  {}  {}  {}", r.entry.seq, r.entry.at, esc(&r.entry.actor), esc(&r.change_text))
                })
                .collect::<Vec<_>>()
                .join("\n");
            let entries: Vec<_> = rows.into_iter().map(|r| r.entry).collect();
            emit(format, serde_json::to_value(&entries)?, if text.is_empty() { "（无修改记录）".into() } else { text })
        }
        StoreCmd::Catalogue { cmd } => catalogue(&mut app, cmd),
        StoreCmd::Case { cmd } => case(&mut app, cmd),
        StoreCmd::Counts { cmd } => counts(&mut app, cmd),
    }
}

/// `（暂定：2027年放假安排尚未导入，暂按周末计算，…）` for dates counted through years without
/// a notice; empty when there are none.
pub fn provisional_text(years: &[i16]) -> String {
    if years.is_empty() {
        return String::new();
    }
    format!("（暂定：{}）", provisional_notes(years))
}

/// The provisional notes of some years, with the command that ends them.
fn provisional_notes(years: &[i16]) -> String {
    let notes: Vec<String> = years.iter().map(|y| gongkai_calendar::provisional_note(*y)).collect();
    format!("{}；可用 gongkai calendar import 导入放假安排通知", notes.join("；"))
}

fn event_of(a: &EventArgs) -> Result<Event> {
    let value = match (&a.json, &a.kind) {
        (Some(j), None) => serde_json::from_str::<Value>(j).context("事件 JSON 无法解析")?,
        (None, Some(kind)) => {
            let mut m = serde_json::Map::new();
            m.insert("event".into(), json!(kind));
            let d = a.date.as_deref().ok_or_else(|| anyhow!("请用 --date 给出事件日期"))?;
            m.insert("date".into(), json!(date(d)?));
            if let Some(o) = &a.outcome {
                m.insert("outcome".into(), json!(o));
            }
            if let Some(n) = a.days {
                m.insert("days".into(), json!(n));
            }
            if let Some(p) = &a.approver {
                m.insert("approver".into(), json!(p));
            }
            if let Some(p) = &a.party {
                m.insert("party".into(), json!(p));
            }
            if let Some(d) = &a.due {
                m.insert("due".into(), json!(date(d)?));
            }
            if let Some(n) = a.amount {
                m.insert("amount".into(), json!(n));
            }
            Value::Object(m)
        }
        _ => bail!("请给出事件 JSON，或用 --type 和 --date 等选项（二选一）"),
    };
    serde_json::from_value(value).map_err(|e| anyhow!("事件无效：{e}"))
}

fn catalogue(s: &mut App, cmd: CatalogueCmd) -> Result<u8> {
    let line = |e: &gongkai_register::CatalogueEntry| {
        format!(
            "{:>6}  {}  {}  {}  {}{}",
            e.id.0,
            esc(&e.index_no),
            e.kind.label(),
            esc(&e.title),
            gongkai_clock::zh_date(e.issued),
            e.repealed.map(|r| format!("，{}废止", gongkai_clock::zh_date(r))).unwrap_or_default()
        )
    };
    match cmd {
        CatalogueCmd::Add { organ, kind, title, doc_number, issued, format } => {
            let kind = match kind.as_str() {
                "规章" => CatalogueKind::Rule,
                "行政规范性文件" => CatalogueKind::Normative,
                k => choice("文件类型", k)?,
            };
            let e = s.add_catalogue_entry(&NewCatalogueEntry {
                organ: OrganId(organ),
                kind,
                title,
                doc_number,
                issued: date(&issued)?,
            })?;
            let text = format!("已添加目录条目 {}，索引号 {}", e.id.0, e.index_no);
            emit(format, serde_json::to_value(&e)?, text)
        }
        CatalogueCmd::Repeal { id, version, date: d, format } => {
            let e = s.repeal_catalogue_entry(EntryId(id), version, date(&d)?)?;
            let text = format!("目录条目 {}（{}）已登记废止，现为版本 {}", e.id.0, e.index_no, e.version);
            emit(format, serde_json::to_value(&e)?, text)
        }
        CatalogueCmd::List { organ, format } => {
            let list = s.catalogue(OrganId(organ))?;
            let text = list.iter().map(line).collect::<Vec<_>>().join("\n");
            emit(format, serde_json::to_value(&list)?, if text.is_empty() { "（目录为空）".into() } else { text })
        }
    }
}

fn case(s: &mut App, cmd: CaseCmd) -> Result<u8> {
    match cmd {
        CaseCmd::Add { organ, kind, number, filed, format } => {
            let c = s.add_case(&NewCase {
                organ: OrganId(organ),
                kind: choice::<CaseKind>("案件类型", &kind)?,
                number,
                filed: date(&filed)?,
            })?;
            let text = format!("已添加{}案件 {}（版本 {}）", c.kind.label(), c.id.0, c.version);
            emit(format, serde_json::to_value(&c)?, text)
        }
        CaseCmd::Conclude { id, version, date: d, result, format } => {
            let c = s.conclude_case(CaseId(id), version, date(&d)?, choice::<CaseResult>("审结结果", &result)?)?;
            let text = format!("案件 {} 已审结（版本 {}）", c.id.0, c.version);
            emit(format, serde_json::to_value(&c)?, text)
        }
        CaseCmd::List { organ, format } => {
            let list = s.cases(OrganId(organ))?;
            let text = list
                .iter()
                .map(|c| {
                    let res = c
                        .concluded
                        .map(|(d, r)| format!("{}，{}", gongkai_clock::zh_date(d), r.label()))
                        .unwrap_or_else(|| "尚未审结".into());
                    format!(
                        "{:>6}  {}  {}  立案 {}  {res}",
                        c.id.0,
                        c.kind.label(),
                        esc(&c.number),
                        gongkai_clock::zh_date(c.filed)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            emit(format, serde_json::to_value(&list)?, if text.is_empty() { "（无案件）".into() } else { text })
        }
    }
}

fn counts(s: &mut App, cmd: CountsCmd) -> Result<u8> {
    let show = |c: &YearlyCounts| {
        let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "（空白）".into());
        format!(
            "机关 {} {}年：行政许可 {}，行政处罚 {}，行政强制 {}，收费金额 {} 万元",
            c.organ.0,
            c.year,
            n(c.licences),
            n(c.penalties),
            n(c.coercions),
            c.fee_wan.map(|f| f.to_string()).unwrap_or_else(|| "（空白）".into())
        )
    };
    match cmd {
        CountsCmd::Set { organ, year, licences, penalties, coercions, fee_wan, format } => {
            let fee_wan = fee_wan
                .map(|f| f.trim().parse::<rust_decimal::Decimal>().map_err(|_| anyhow!("金额“{f}”不是有效的小数")))
                .transpose()?;
            let c = YearlyCounts {
                organ: OrganId(organ),
                year,
                licences,
                penalties,
                coercions,
                fee_wan,
                confirmed_on: Some(today(None)?),
            };
            s.set_counts(&c)?;
            emit(format, serde_json::to_value(&c)?, format!("已保存。{}", show(&c)))
        }
        CountsCmd::Show { organ, year, format } => match s.counts(OrganId(organ), year)? {
            Some(c) => emit(format, serde_json::to_value(&c)?, show(&c)),
            None => emit(format, Value::Null, format!("机关 {organ} {year}年尚未填写数量")),
        },
    }
}
