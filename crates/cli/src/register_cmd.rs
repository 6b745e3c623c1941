//! The clerk's register commands: `init`, `organ`, `register`, `event`, `show`, `due`,
//! `catalogue`, `case`, `counts`. They open the register named by
//! `--db PATH|URL`, else `GONGKAI_DB`, else the default file (see [`gongkai_store_open::default_path`]), and go
//! through the `Store` trait only: this module knows no SQL.

use anyhow::{Context, Result, anyhow, bail};
use gongkai_app::{App, Principal};
use gongkai_clock::Event;
use gongkai_register::{
    AppId, Applicant, ApplicantKind, CaseId, CaseKind, CaseResult, CatalogueKind, EntryId, OrganKind, RequestedForm,
    YearlyCounts,
};
use gongkai_store::{NewApplication, NewCase, NewCatalogueEntry, NewOrgan, Store};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::path::PathBuf;

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
        /// 输出格式：text（文字）或 json
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
        /// 输出格式：text（文字）或 json
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
        organ: Option<String>,
        /// 以哪一天为今天（默认今天）
        #[arg(long)]
        today: Option<String>,
        /// 输出格式：text（文字）或 json
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
        /// 显示个人信息（记入审计日志）
        #[arg(long)]
        unmask: bool,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum OrganCmd {
    /// 添加机关
    Add {
        /// 机关全称
        #[arg(long)]
        name: String,
        /// 类型：人民政府、政府部门、乡镇（街道）、行政区域（或 government、department、township、region）
        #[arg(long, default_value = "政府部门")]
        kind: String,
        /// 上级机关：编号或全称
        #[arg(long)]
        parent: Option<String>,
        /// 机构代码（用于索引号）
        #[arg(long, default_value = "")]
        code: String,
        /// 索引号模式，如 {code}/{yyyy}-{seq:5}（默认即此）
        #[arg(long)]
        pattern: Option<String>,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 列出全部机关
    List {
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
}

#[derive(clap::Args, Debug)]
pub struct RegisterArgs {
    /// 受理机关：编号或全称（同名时须用编号）
    #[arg(long)]
    organ: String,
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
    /// 电话（个人信息，默认隐去）
    #[arg(long)]
    phone: Option<String>,
    /// 通讯地址（个人信息，默认隐去）
    #[arg(long)]
    address: Option<String>,
    /// 电子邮箱（个人信息，默认隐去）
    #[arg(long)]
    email: Option<String>,
    /// 提交方式（第三十一条）：当面、邮寄、平信、网络、传真（或 in_person、post、letter、online、fax）；
    /// 不填按“网络”，与台账导入时提交方式留空相同
    #[arg(long)]
    channel: Option<String>,
    /// 收到申请之日（第三十一条），YYYY-MM-DD
    #[arg(long)]
    received: String,
    /// 申请内容描述
    #[arg(long)]
    description: String,
    /// 获取信息的方式：纸质、电子、查阅、摘抄（或 paper、electronic、inspection、copying）；默认纸质，与台账导入相同
    #[arg(long)]
    form: Option<String>,
    /// 输出格式：text（文字）或 json
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
    /// 事件类型：答复、撤回、延期、补正告知、补正后收到、逾期未补正、征求意见、意见答复、收费通知、已缴费、逾期未缴费、约定答复日期
    /// （或 replied、withdrawn、extended、correction_requested、correction_received、correction_expired、
    /// consultation_started、consultation_answered、fee_notice、fee_paid、fee_not_paid、agreed_date）
    #[arg(long = "type")]
    kind: Option<String>,
    /// 事件日期
    #[arg(long)]
    date: Option<String>,
    /// 办理结果（答复事件必填）：表三的文字，如 予以公开、本机关不掌握相关政府信息、（三）不予公开 4.保护第三方合法权益，或行号 R3.1、R3.3.4
    #[arg(long)]
    outcome: Option<String>,
    /// 延长的工作日数
    #[arg(long)]
    days: Option<u32>,
    /// 批准延长的负责人
    #[arg(long)]
    approver: Option<String>,
    /// 征求意见对象：第三方、共同制作机关（或 third_party、co_producer）
    #[arg(long)]
    party: Option<String>,
    /// 第三十五条约定的答复日期
    #[arg(long)]
    due: Option<String>,
    /// 收费金额（元）
    #[arg(long)]
    amount: Option<u64>,
    /// 输出格式：text（文字）或 json
    #[arg(long, value_enum, default_value_t = Fmt::Text)]
    format: Fmt,
}

#[derive(clap::Subcommand, Debug)]
pub enum CatalogueCmd {
    /// 添加目录条目，索引号按机关的索引号模式自动生成
    Add {
        /// 机关：编号或全称（同名时须用编号）
        #[arg(long)]
        organ: String,
        /// rule（规章）、normative（行政规范性文件）、other
        #[arg(long, default_value = "normative")]
        kind: String,
        /// 标题
        #[arg(long)]
        title: String,
        /// 文号
        #[arg(long, default_value = "")]
        doc_number: String,
        /// 成文/发布日期
        #[arg(long)]
        issued: String,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 废止目录条目
    Repeal {
        /// 编号
        id: i64,
        /// 您看到的版本号（防止覆盖他人的修改）
        #[arg(long)]
        version: i64,
        /// 日期（YYYY-MM-DD）
        #[arg(long)]
        date: String,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 列出一个机关的目录
    List {
        /// 机关：编号或全称（同名时须用编号）
        #[arg(long)]
        organ: String,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum CaseCmd {
    /// 添加案件
    Add {
        /// 机关：编号或全称（同名时须用编号）
        #[arg(long)]
        organ: String,
        /// review（行政复议）、direct_litigation（未经复议直接起诉）、litigation_after_review（复议后起诉）
        #[arg(long)]
        kind: String,
        /// 案号
        #[arg(long, default_value = "")]
        number: String,
        /// 立案日期（YYYY-MM-DD）
        #[arg(long)]
        filed: String,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 审结案件
    Conclude {
        /// 编号
        id: i64,
        /// 您看到的版本号（防止覆盖他人的修改）
        #[arg(long)]
        version: i64,
        /// 日期（YYYY-MM-DD）
        #[arg(long)]
        date: String,
        /// maintained（维持）、corrected（纠正）、other（其他）
        #[arg(long)]
        result: String,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 列出案件
    List {
        /// 机关：编号或全称（同名时须用编号）
        #[arg(long)]
        organ: String,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum CountsCmd {
    /// 设置（覆盖）某机关某年的数量；未给出的项为空白（不是 0）
    Set {
        /// 机关：编号或全称（同名时须用编号）
        #[arg(long)]
        organ: String,
        /// 年度
        #[arg(long)]
        year: i16,
        /// 行政许可决定数（空白不是 0）
        #[arg(long)]
        licences: Option<u64>,
        /// 行政处罚决定数
        #[arg(long)]
        penalties: Option<u64>,
        /// 行政强制决定数
        #[arg(long)]
        coercions: Option<u64>,
        /// 收费金额（万元，小数）
        #[arg(long)]
        fee_wan: Option<String>,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
    /// 查看某机关某年的数量
    Show {
        /// 机关：编号或全称（同名时须用编号）
        #[arg(long)]
        organ: String,
        /// 年度
        #[arg(long)]
        year: i16,
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = Fmt::Text)]
        format: Fmt,
    },
}

/// `--db`, else `GONGKAI_DB`, else the default file.
pub fn db_spec(flag: Option<&str>) -> String {
    gongkai_store_open::location(flag)
}

/// Open the register through the library's factory ([`gongkai_store_open::open`]); its
/// warnings (register files others may read) go to stderr. `create`: make the SQLite file
/// (and its folder), private, if missing.
pub fn open(spec: &str, create: bool) -> Result<std::sync::Arc<dyn Store>> {
    open_pool(spec, create, gongkai_store_open::default_pool())
}

/// [`open`] with a pool of at most `pool` connections (`gongkai serve --db-pool`).
pub fn open_pool(spec: &str, create: bool, pool: usize) -> Result<std::sync::Arc<dyn Store>> {
    let opened = gongkai_store_open::open_pool(spec, create, pool)?;
    for w in &opened.warnings {
        eprintln!("gongkai: {w}");
    }
    Ok(opened.store)
}

/// Open the register for a command that only reads. A SQLite register the user may read but
/// not write (a supervisor's copy, a file on a read-only share) cannot be opened in place — the
/// store checks its schema in a write transaction — so it is read from a private snapshot (the
/// file and its `-wal`, in a 0700 temporary folder removed afterwards), with a note on stderr.
/// Nothing can be written through it: callers use this only for reads that write no audit row.
pub fn open_read(spec: &str) -> Result<std::sync::Arc<dyn Store>> {
    match open(spec, false) {
        Ok(s) => Ok(s),
        Err(e)
            if matches!(
                e.downcast_ref::<gongkai_store_open::OpenError>(),
                Some(gongkai_store_open::OpenError::ReadOnly { .. })
            ) =>
        {
            let snap = Snapshot::of(std::path::Path::new(spec))?;
            eprintln!("gongkai: 注意：登记簿“{spec}”只读（没有写入权限），本次从其只读副本读取，不作任何修改");
            let store = gongkai_store_sqlite::open(snap.db()).with_context(|| format!("无法读取只读登记簿“{spec}”"))?;
            // The store keeps the copy open: the folder is removed when the program ends
            // (`remove_snapshots`, called by `main` and by the closed-pipe exit).
            SNAPSHOTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(snap.dir.clone());
            std::mem::forget(snap);
            Ok(std::sync::Arc::new(store))
        }
        Err(e) => Err(e),
    }
}

/// Snapshot folders to remove when the program ends.
static SNAPSHOTS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Remove the read-only snapshots this process made (see [`open_read`]).
pub fn remove_snapshots() {
    for d in SNAPSHOTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).drain(..) {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// A private copy of a SQLite register (the file and its `-wal`).
struct Snapshot {
    dir: PathBuf,
}

impl Snapshot {
    fn of(path: &std::path::Path) -> Result<Snapshot> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("gongkai-readonly-{}-{nanos}", std::process::id()));
        crate::safe::create_private_dir_all(&dir).with_context(|| format!("无法创建临时目录“{}”", dir.display()))?;
        let snap = Snapshot { dir };
        let copy = |from: &std::path::Path, to: PathBuf| -> Result<()> {
            let mut src = std::fs::File::open(from).with_context(|| format!("无法读取“{}”", from.display()))?;
            let mut dst = crate::safe::create_private(&to).context("无法写入临时副本")?;
            std::io::copy(&mut src, &mut dst).with_context(|| format!("无法读取“{}”", from.display()))?;
            Ok(())
        };
        copy(path, snap.db())?;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        if std::path::Path::new(&wal).exists() {
            copy(std::path::Path::new(&wal), snap.dir.join("register.db-wal"))?;
        }
        Ok(snap)
    }

    fn db(&self) -> PathBuf {
        self.dir.join("register.db")
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static ACTOR_FLAG: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// Set the `--actor` flag (once, from `main`).
pub fn set_actor(flag: Option<String>) {
    let _ = ACTOR_FLAG.set(flag);
}

/// Who acts, as the audit trail records it: `--actor`, else `GONGKAI_ACTOR`, else the
/// operating system's account of this process (whoami), else `USER` / `LOGNAME` / `USERNAME`.
pub fn actor() -> String {
    let flag = ACTOR_FLAG.get().cloned().flatten();
    flag.into_iter()
        .chain(std::env::var("GONGKAI_ACTOR").ok())
        .chain(whoami::username().ok())
        .chain(["USER", "LOGNAME", "USERNAME"].into_iter().filter_map(|v| std::env::var(v).ok()))
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "本机用户（用户名未知）".into())
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
        // Reads that write no audit row work on a register the user may only read.
        read @ (StoreCmd::Show { unmask: false, .. }
        | StoreCmd::History { unmask: false, .. }
        | StoreCmd::Due { .. }
        | StoreCmd::Organ { cmd: OrganCmd::List { .. } }
        | StoreCmd::Catalogue { cmd: CatalogueCmd::List { .. } }
        | StoreCmd::Case { cmd: CaseCmd::List { .. } }
        | StoreCmd::Counts { cmd: CountsCmd::Show { .. } }) => {
            let s = open_read(&spec)?;
            run_on(&*s, read)
        }
        other => {
            let s = open(&spec, false)?;
            run_on(&*s, other)
        }
    }
}

fn organ_kind(s: &str) -> Result<OrganKind> {
    OrganKind::parse(s).ok_or_else(|| {
        anyhow!("机关类型“{s}”无法识别，应为 人民政府、政府部门、乡镇（街道）、行政区域（或 government、department、township、region）")
    })
}

/// The 第三十一条 channel from the clerk's words (`当面`, `邮寄`, `平信`, `网络`, `传真` — the
/// ledger's parser) or its code (`in_person` …).
fn channel(s: &str) -> Result<gongkai_clock::Channel> {
    gongkai_register::ledger::parse_channel(s).map_or_else(
        || choice("提交方式", s).map_err(|_| anyhow!("提交方式“{s}”无法识别，应为 当面、邮寄、平信、网络、传真")),
        Ok,
    )
}

/// The requested form from the clerk's words (the ledger's parser) or its code; not given:
/// the ledger's default for an empty cell, so both entry paths agree.
fn requested_form(s: Option<&str>) -> Result<RequestedForm> {
    let s = s.unwrap_or("");
    gongkai_register::ledger::parse_form(s).map_or_else(
        || choice("获取方式", s).map_err(|_| anyhow!("获取方式“{s}”无法识别，应为 纸质、电子、查阅、摘抄")),
        Ok,
    )
}

/// Event types: the code JSON uses and the words clerks use.
const EVENT_TYPES: &[(&str, &[&str])] = &[
    ("replied", &["答复", "已答复"]),
    ("withdrawn", &["撤回", "申请人撤回"]),
    ("extended", &["延期", "延长答复期限"]),
    ("correction_requested", &["补正告知", "告知补正"]),
    ("correction_received", &["补正后收到", "收到补正"]),
    ("correction_expired", &["逾期未补正"]),
    ("consultation_started", &["征求意见"]),
    ("consultation_answered", &["意见答复", "征求意见结束"]),
    ("fee_notice", &["收费通知"]),
    ("fee_paid", &["已缴费", "缴费"]),
    ("fee_not_paid", &["逾期未缴费"]),
    ("agreed_date", &["约定答复日期"]),
];

fn event_type(s: &str) -> Result<&'static str> {
    let t = s.trim();
    EVENT_TYPES.iter().find(|(code, words)| *code == t || words.contains(&t)).map(|(code, _)| *code).ok_or_else(|| {
        anyhow!(
            "事件类型“{s}”无法识别，应为：{}",
            EVENT_TYPES.iter().map(|(c, w)| format!("{}（{c}）", w[0])).collect::<Vec<_>>().join("、")
        )
    })
}

fn run_on(s: &dyn Store, cmd: StoreCmd) -> Result<u8> {
    let mut app = App::new(s, Principal::local(actor()));
    match cmd {
        StoreCmd::Init { .. } => unreachable!("handled by run"),
        StoreCmd::Organ { cmd: OrganCmd::Add { name, kind, parent, code, pattern, format } } => {
            let parent = parent.map(|p| app.resolve_organ(&p)).transpose()?;
            let o =
                app.add_organ(&NewOrgan { name, kind: organ_kind(&kind)?, parent, code, index_pattern: pattern })?;
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
                organ: app.resolve_organ(&a.organ)?,
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
                form: requested_form(a.form.as_deref())?,
                events: vec![Event::Received {
                    date: date(&a.received)?,
                    channel: a.channel.as_deref().map_or(Ok(gongkai_clock::Channel::DEFAULT), channel)?,
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
            let organ = organ.map(|o| app.resolve_organ(&o)).transpose()?;
            let v = app.due(within, organ, today(t.as_deref())?)?;
            let mut text =
                format!("{}前（{}个工作日内）到期及已超期的申请：", gongkai_clock::zh_date(v.until), v.within);
            for it in &v.items {
                let mark = it.left_text();
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
                    format!(
                        "{:>8}  {}  {}  {}",
                        r.entry.seq,
                        beijing_time(&r.entry.at),
                        esc(&r.entry.actor),
                        esc(&r.change_text)
                    )
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

/// An audit time (RFC 3339, UTC) as clerks read it: Asia/Shanghai (UTC+8, no daylight saving
/// since 1991), `2024-11-15 10:23:45（北京时间）`; a value that is not a timestamp is shown as
/// stored.
pub fn beijing_time(at: &str) -> String {
    match gongkai_app::china_time(at) {
        Some(t) => format!("{t}（北京时间）"),
        None => esc(at).into_owned(),
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
        (Some(j), None) => {
            serde_json::from_str::<Value>(j).map_err(|e| anyhow!("事件 JSON 无法解析：{}", crate::ui::json_zh(&e)))?
        }
        (None, Some(kind)) => {
            let kind = event_type(kind)?;
            let mut m = serde_json::Map::new();
            m.insert("event".into(), json!(kind));
            let d = a.date.as_deref().ok_or_else(|| anyhow!("请用 --date 给出事件日期"))?;
            m.insert("date".into(), json!(date(d)?));
            match (&a.outcome, kind) {
                (Some(o), _) => {
                    let o = gongkai_register::ledger::parse_outcome(o).map_err(|e| anyhow!("--outcome：{e}"))?;
                    m.insert("outcome".into(), json!(o.id()));
                }
                (None, "replied") => bail!(
                    "答复事件须用 --outcome 给出办理结果，如 --outcome 予以公开、--outcome 本机关不掌握相关政府信息 或 --outcome R3.1"
                ),
                (None, _) => {}
            }
            if kind == "extended" && (a.days.is_none() || a.approver.is_none()) {
                bail!("延期事件须同时给出 --days 延长的工作日数 和 --approver 批准的负责人");
            }
            if kind == "agreed_date" && a.due.is_none() {
                bail!("约定答复日期事件须用 --due 给出约定的答复日期");
            }
            if kind == "consultation_started" && a.party.is_none() {
                bail!("征求意见事件须用 --party 给出征求意见的对象：第三方 或 共同制作机关");
            }
            if let Some(n) = a.days {
                m.insert("days".into(), json!(n));
            }
            if let Some(p) = &a.approver {
                m.insert("approver".into(), json!(p));
            }
            if let Some(p) = &a.party {
                let p = match p.trim() {
                    "第三方" => "third_party",
                    "共同制作机关" | "其他机关" => "co_producer",
                    other => other,
                };
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
    serde_json::from_value(value)
        .map_err(|e| anyhow!("事件的内容不符合要求：{}；各类事件的写法见 gongkai event --help", crate::ui::json_zh(&e)))
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
            let organ = s.resolve_organ(&organ)?;
            let e =
                s.add_catalogue_entry(&NewCatalogueEntry { organ, kind, title, doc_number, issued: date(&issued)? })?;
            let text = format!("已添加目录条目 {}，索引号 {}", e.id.0, e.index_no);
            emit(format, serde_json::to_value(&e)?, text)
        }
        CatalogueCmd::Repeal { id, version, date: d, format } => {
            let e = s.repeal_catalogue_entry(EntryId(id), version, date(&d)?)?;
            let text = format!("目录条目 {}（{}）已登记废止，现为版本 {}", e.id.0, e.index_no, e.version);
            emit(format, serde_json::to_value(&e)?, text)
        }
        CatalogueCmd::List { organ, format } => {
            let organ = s.resolve_organ(&organ)?;
            let list = s.catalogue(organ)?;
            let text = list.iter().map(line).collect::<Vec<_>>().join("\n");
            emit(format, serde_json::to_value(&list)?, if text.is_empty() { "（目录为空）".into() } else { text })
        }
    }
}

fn case(s: &mut App, cmd: CaseCmd) -> Result<u8> {
    match cmd {
        CaseCmd::Add { organ, kind, number, filed, format } => {
            let organ = s.resolve_organ(&organ)?;
            let c = s.add_case(&NewCase {
                organ,
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
            let organ = s.resolve_organ(&organ)?;
            let list = s.cases(organ)?;
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
                organ: s.resolve_organ(&organ)?,
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
        CountsCmd::Show { organ, year, format } => match s.resolve_organ(&organ).and_then(|o| s.counts(o, year))? {
            Some(c) => emit(format, serde_json::to_value(&c)?, show(&c)),
            None => emit(format, Value::Null, format!("机关 {organ} {year}年尚未填写数量")),
        },
    }
}
