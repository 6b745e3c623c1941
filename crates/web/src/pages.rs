//! The pages: askama templates (checked at compile time) filled from `gongkai-app` views, and
//! the forms that turn into its commands. Every form that changes state carries `csrf`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongkai_app::accounts::NewAccount;
use gongkai_app::{DashboardView, ListQuery, ListView, Role, ShowView};
use gongkai_clock::{Channel, Event, Outcome};
use gongkai_register::{Applicant, ApplicantKind, Organ, OrganId, OrganKind, RequestedForm};
use gongkai_register::{Case, CaseKind, CaseResult, CatalogueEntry, CatalogueKind, YearlyCounts};
use gongkai_store::NewCase;
use gongkai_store::{NewApplication, NewCatalogueEntry, NewOrgan, User};

use crate::Ctx;

/// The stylesheet (embedded in the binary).
pub const STYLE: &str = include_str!("../static/style.css");

/// A rendered page.
pub type Page = Response;

/// What every page's header needs.
pub struct Nav {
    pub user: String,
    pub role: &'static str,
    pub csrf: String,
    pub manages: bool,
}

impl Nav {
    fn of(c: &Ctx) -> Nav {
        Nav {
            user: c.principal.user.clone(),
            role: c.principal.role.label(),
            csrf: c.session.csrf.clone(),
            manages: crate::manages(c.principal.role),
        }
    }
}

fn html<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

fn zh(d: jiff::civil::Date) -> String {
    gongkai_clock::zh_date(d)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
}

/// A page for a refused or failed request.
pub fn error_page(status: u16, message: &str) -> Response {
    html(&ErrorPage { status, message })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    error: Option<&'a str>,
    name: &'a str,
}

pub fn login(error: Option<&str>, name: &str) -> Response {
    html(&LoginPage { error, name })
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    nav: Nav,
    must_change: bool,
    error: Option<&'a str>,
}

pub fn password(c: &Ctx, error: Option<&str>) -> Response {
    html(&PasswordPage { nav: Nav::of(c), must_change: c.user.must_change, error })
}

/// A due-list row as shown.
pub struct DueLine {
    pub id: i64,
    pub serial: String,
    pub organ: String,
    pub received: String,
    pub due: String,
    pub left: String,
    pub overdue: bool,
    pub provisional: bool,
}

/// Due-list rows shown on the dashboard.
const DUE_SHOWN: usize = 100;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    nav: Nav,
    v: &'a DashboardView,
    until: String,
    lines: Vec<DueLine>,
    /// How many due rows are not shown.
    more: usize,
    notes: String,
}

pub fn dashboard(c: &Ctx, v: &DashboardView) -> Response {
    let name = |id: OrganId| {
        v.organs.iter().find(|o| o.organ.id == id).map(|o| o.organ.name.clone()).unwrap_or_else(|| id.0.to_string())
    };
    // The most urgent first, at most DUE_SHOWN; the list page has them all.
    let lines = v
        .due
        .items
        .iter()
        .take(DUE_SHOWN)
        .map(|i| DueLine {
            id: i.id.0,
            serial: i.serial.clone(),
            organ: name(i.organ),
            received: zh(i.received),
            due: zh(i.due),
            left: i.left_text(),
            overdue: i.overdue,
            provisional: i.provisional,
        })
        .collect();
    let notes = v.due.provisional_years.iter().map(|y| gongkai_calendar_note(*y)).collect::<Vec<_>>().join("；");
    let more = v.due.items.len().saturating_sub(DUE_SHOWN);
    html(&DashboardPage { nav: Nav::of(c), v, until: zh(v.due.until), lines, more, notes })
}

fn gongkai_calendar_note(y: i16) -> String {
    format!("{y}年放假安排尚未导入，暂按周末计算，待国务院办公厅公布{y}年放假安排并导入后自动重算")
}

/// An application-list row as shown.
pub struct AppLine {
    pub id: i64,
    pub serial: String,
    pub organ: String,
    pub applicant: String,
    pub received: String,
    pub state: &'static str,
    pub due: String,
    pub outcome: String,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ApplicationsPage<'a> {
    nav: Nav,
    q: &'a ListQuery,
    v: &'a ListView,
    lines: Vec<AppLine>,
    organs: &'a [Organ],
    prev: Option<String>,
    next: Option<String>,
}

/// The list's page `page` with the filters of `q`; `key`: where it is, as `after=…` or
/// `before=…` (keyset paging, see [`ListQuery::after`]).
fn link(q: &ListQuery, page: usize, key: Option<(&str, String)>) -> String {
    let mut parts = vec![format!("page={page}")];
    if let Some((side, k)) = key {
        parts.push(format!("{side}={}", encode(&k)));
    }
    for (k, v) in [
        ("organ", &q.organ),
        ("state", &q.state),
        ("q", &q.q),
        ("from", &q.from),
        ("to", &q.to),
        ("kind", &q.kind),
        ("outcome", &q.outcome),
    ] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", encode(v)));
        }
    }
    format!("/applications?{}", parts.join("&"))
}

/// Percent-encode a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn applications(c: &Ctx, q: &ListQuery, v: &ListView) -> Response {
    let name = |id: OrganId| v.organs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default();
    let lines = v
        .items
        .iter()
        .map(|a| AppLine {
            id: a.id.0,
            serial: a.serial.clone(),
            organ: name(a.organ),
            applicant: a.applicant.name.clone(),
            received: zh(a.received),
            state: a.state.label(),
            due: a.due.map(zh).map(|d| if a.provisional { format!("{d}（暂定）") } else { d }).unwrap_or_default(),
            outcome: a.outcome.map(|o| o.label()).unwrap_or_default(),
        })
        .collect();
    // Next: the rows after the last one shown; previous: those before the first one (page 1
    // from its start). A deep page then reads its own rows, not every row before it.
    let key = |a: Option<&gongkai_store::ApplicationSummary>| a.map(|a| gongkai_app::page_key(a.received, a.id));
    let prev = (v.page > 1).then(|| match key(v.items.first()) {
        Some(k) if v.page > 2 => link(q, v.page - 1, Some(("before", k))),
        _ => link(q, v.page - 1, None),
    });
    let next = (v.page.saturating_mul(v.per_page) < v.total)
        .then(|| link(q, v.page + 1, key(v.items.last()).map(|k| ("after", k))));
    html(&ApplicationsPage { nav: Nav::of(c), q, v, lines, organs: &v.organs, prev, next })
}

/// The registration form as posted (all text: a wrong value is shown back, not lost).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub organ: String,
    #[serde(default)]
    pub serial: String,
    #[serde(default)]
    pub received: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub form: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// `(field, reason)` pairs for inline errors.
pub type FieldErrors = Vec<(String, String)>;

impl RegisterForm {
    /// The command, or the fields that cannot be read.
    pub fn to_new(&self) -> Result<NewApplication, FieldErrors> {
        let mut errors = FieldErrors::new();
        let organ = self.organ.trim().parse::<i64>().map(OrganId);
        if organ.is_err() {
            errors.push(("机关".into(), "请选择机关".into()));
        }
        let received = gongkai_register::validate::parse_date(&self.received);
        if let Err(reason) = &received {
            errors.push(("收到申请日期".into(), reason.clone()));
        }
        let channel = serde_json::from_value::<Channel>(serde_json::Value::String(self.channel.clone()));
        if channel.is_err() {
            errors.push(("提交方式".into(), "请选择提交方式".into()));
        }
        let kind = ApplicantKind::parse(&self.kind);
        if kind.is_none() {
            errors.push(("申请人类型".into(), "请选择申请人类型".into()));
        }
        let form = serde_json::from_value::<RequestedForm>(serde_json::Value::String(self.form.clone()));
        if form.is_err() {
            errors.push(("获取方式".into(), "请选择获取信息的方式".into()));
        }
        match (organ, received, channel, kind, form) {
            (Ok(organ), Ok(date), Ok(channel), Some(kind), Ok(form)) if errors.is_empty() => Ok(NewApplication {
                organ,
                serial: self.serial.trim().to_string(),
                applicant: Applicant {
                    kind,
                    name: self.name.trim().to_string(),
                    id_number: opt(&self.id_number),
                    phone: opt(&self.phone),
                    address: opt(&self.address),
                    email: opt(&self.email),
                },
                description: self.description.trim().to_string(),
                form,
                events: vec![Event::Received { date, channel }],
            }),
            _ => Err(errors),
        }
    }
}

/// A choice of a select element.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A unit enum's form value: its serde name (`online`).
fn form_value<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|j| j.as_str().map(str::to_string)).unwrap_or_default()
}

fn choices<T: serde::Serialize + Copy>(all: &[T], label: impl Fn(T) -> String) -> Vec<Choice> {
    all.iter().map(|v| Choice { value: form_value(v), label: label(*v) }).collect()
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    nav: Nav,
    organs: &'a [Organ],
    f: &'a RegisterForm,
    errors: &'a [(String, String)],
    /// The channel shown selected: the posted one, or on a fresh form [`Channel::DEFAULT`].
    channel: String,
    channels: Vec<Choice>,
    kinds: Vec<Choice>,
    forms: Vec<Choice>,
}

pub fn register(c: &Ctx, organs: &[Organ], f: &RegisterForm, errors: &[(String, String)]) -> Response {
    let channels = choices(&Channel::ALL, |c| c.label().to_string());
    let kinds = choices(&ApplicantKind::ALL, |k| k.label().to_string());
    let forms = choices(&RequestedForm::ALL, |f| f.label().to_string());
    let channel = if f.channel.is_empty() { form_value(&Channel::DEFAULT) } else { f.channel.clone() };
    html(&RegisterPage { nav: Nav::of(c), organs, f, errors, channel, channels, kinds, forms })
}

/// The event form as posted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EventForm {
    #[serde(default)]
    pub csrf: String,
    pub version: i64,
    /// Events on the page when it was loaded (to show what others added on a stale write).
    #[serde(default)]
    pub seen: usize,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub amount: String,
}

impl EventForm {
    /// The event; an extension's approver is the acting head.
    pub fn to_event(&self, approver: &str) -> Result<Event, String> {
        let mut m = serde_json::Map::new();
        if self.kind.trim().is_empty() {
            return Err("请选择事件类型".into());
        }
        m.insert("event".into(), serde_json::json!(self.kind.trim()));
        let date: jiff::civil::Date =
            gongkai_register::validate::date("事件日期", &self.date).map_err(|e| e.to_string())?;
        m.insert("date".into(), serde_json::json!(date));
        match self.kind.trim() {
            "replied" => {
                let o = Outcome::from_id(self.outcome.trim()).ok_or("答复须选择办理结果（表三的一行）")?;
                m.insert("outcome".into(), serde_json::json!(o));
            }
            "extended" => {
                let days: u32 = self.days.trim().parse().map_err(|_| "延长天数应为1至20的整数".to_string())?;
                m.insert("days".into(), serde_json::json!(days));
                m.insert("approver".into(), serde_json::json!(approver));
            }
            "consultation_started" => {
                m.insert(
                    "party".into(),
                    serde_json::json!(if self.party.is_empty() { "third_party" } else { &self.party }),
                );
            }
            "agreed_date" => {
                let due: jiff::civil::Date =
                    gongkai_register::validate::date("约定的答复日期", &self.due).map_err(|e| e.to_string())?;
                m.insert("due".into(), serde_json::json!(due));
            }
            "fee_notice" => {
                if let Some(a) = opt(&self.amount) {
                    let n: u64 = a.parse().map_err(|_| "收费金额应为整数（元）".to_string())?;
                    m.insert("amount".into(), serde_json::json!(n));
                }
            }
            _ => {}
        }
        serde_json::from_value(serde_json::Value::Object(m)).map_err(|e| format!("事件无效：{e}"))
    }
}

/// An event of the timeline as shown.
pub struct EventLine {
    pub date: String,
    pub text: String,
    /// Added by someone else after the page was loaded (on a stale write).
    pub new: bool,
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage<'a> {
    nav: Nav,
    v: &'a ShowView,
    registered: bool,
    error: Option<String>,
    events: Vec<EventLine>,
    outcomes: Vec<Choice>,
    can_extend: bool,
    can_sign: bool,
    signoffs: Vec<SignOffLine>,
    signed: Option<SignOffLine>,
    due: String,
    left: String,
    today: String,
}

fn describe(e: &Event) -> String {
    match e {
        Event::Received { channel, .. } => format!("收到申请（{}）", channel.label()),
        Event::Replied { outcome, .. } => format!("答复：{}", outcome.label()),
        Event::Extended { days, approver, .. } => format!("延期{days}个工作日（{approver}同意）"),
        Event::FeeNotice { amount, .. } => match amount {
            Some(a) => format!("发出收费通知（{a}元）"),
            None => "发出收费通知".into(),
        },
        Event::AgreedDate { due, .. } => format!("依条例第三十五条约定答复期限至{}", zh(*due)),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("event").and_then(|k| k.as_str()).map(event_label))
            .unwrap_or_else(|| "事件".into()),
    }
}

fn event_label(kind: &str) -> String {
    match kind {
        "correction_requested" => "发出补正通知",
        "correction_received" => "收到补正后的申请",
        "correction_expired" => "补正期满未补正",
        "consultation_started" => "征求第三方或其他机关意见（中止计时）",
        "consultation_answered" => "收到意见（恢复计时）",
        "fee_paid" => "申请人缴费（恢复计时）",
        "fee_not_paid" => "申请人逾期未缴费",
        "withdrawn" => "申请人撤回申请",
        other => other,
    }
    .to_string()
}

/// A sign-off as shown (time in China).
#[derive(Debug, Clone)]
pub struct SignOffLine {
    pub title: String,
    pub by: String,
    pub at: String,
    pub fingerprint: String,
}

impl SignOffLine {
    pub fn of(s: &gongkai_app::letters::SignOff) -> SignOffLine {
        SignOffLine {
            title: s.title.clone(),
            by: s.by.clone(),
            at: china_time(&s.at),
            fingerprint: s.fingerprint.clone(),
        }
    }
}

/// An RFC 3339 UTC time as China's wall clock (`2026-12-03 16:05:09`).
fn china_time(at: &str) -> String {
    gongkai_app::china_time(at).unwrap_or_else(|| at.to_string())
}

/// What the application page shows besides the record.
#[derive(Debug, Default)]
pub struct AppExtras {
    pub registered: bool,
    /// A refusal, and on a stale write the number of events the page had.
    pub error: Option<(String, Option<usize>)>,
    pub signoffs: Vec<gongkai_app::letters::SignOff>,
    /// Just signed off.
    pub signed: Option<gongkai_app::letters::SignOff>,
}

pub fn application(c: &Ctx, v: &ShowView, x: AppExtras) -> Response {
    let AppExtras { registered, error, signoffs, signed } = x;
    let seen = error.as_ref().and_then(|e| e.1);
    let events = v
        .application
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| EventLine { date: zh(e.date()), text: describe(e), new: seen.is_some_and(|s| i >= s) })
        .collect();
    let outcomes = Outcome::ALL.iter().map(|o| Choice { value: o.id().to_string(), label: o.label() }).collect();
    let due = v.clock.due.map(zh).unwrap_or_default();
    // From the count alone, as the page has always shown it.
    let left = gongkai_app::days_left_text(v.days_left, false);
    let can_extend =
        gongkai_app::allowed(c.principal.role, gongkai_app::Action::ApproveExtension, gongkai_app::Relation::Own);
    let can_sign = gongkai_app::allowed(c.principal.role, gongkai_app::Action::SignLetter, gongkai_app::Relation::Own);
    html(&ApplicationPage {
        nav: Nav::of(c),
        v,
        registered,
        error: error.map(|e| e.0),
        events,
        outcomes,
        can_extend,
        can_sign,
        signoffs: signoffs.iter().map(SignOffLine::of).collect(),
        signed: signed.as_ref().map(SignOffLine::of),
        due,
        left,
        today: gongkai_app::today_in_china().to_string(),
    })
}

/// The organ form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OrganForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub code: String,
}

impl OrganForm {
    pub fn to_new(&self) -> NewOrgan {
        let kind = match self.kind.as_str() {
            "region" => OrganKind::Region,
            "government" => OrganKind::Government,
            "township" => OrganKind::Township,
            _ => OrganKind::Department,
        };
        NewOrgan {
            name: self.name.trim().to_string(),
            kind,
            parent: self.parent.trim().parse::<i64>().ok().map(OrganId),
            code: self.code.trim().to_string(),
            index_pattern: None,
        }
    }
}

#[derive(Template)]
#[template(path = "organs.html")]
struct OrgansPage<'a> {
    nav: Nav,
    organs: &'a [Organ],
    error: Option<&'a str>,
    /// Link each organ to its page (rename, move) for a role that manages organs.
    manages: bool,
}

pub fn organs(c: &Ctx, organs: &[Organ], error: Option<&str>) -> Response {
    html(&OrgansPage { nav: Nav::of(c), organs, error, manages: crate::manages(c.principal.role) })
}

/// The rename-and-move form of one organ. `parent` absent keeps the current parent; empty
/// makes the organ a top-level one.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OrganChangeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    pub parent: Option<String>,
}

impl OrganChangeForm {
    /// The new parent: `Ok(None)` keep it, `Ok(Some(None))` the top level.
    pub fn parent(&self) -> Result<Option<Option<OrganId>>, String> {
        match self.parent.as_deref().map(str::trim) {
            None => Ok(None),
            Some("") => Ok(Some(None)),
            Some(p) => p.parse::<i64>().map(|n| Some(Some(OrganId(n)))).map_err(|_| format!("上级机关“{p}”无效")),
        }
    }
}

#[derive(Template)]
#[template(path = "organ.html")]
struct OrganPage<'a> {
    nav: Nav,
    organ: &'a Organ,
    parent: String,
    /// Where it may move: the organs the user reads, without itself and those below it.
    targets: Vec<&'a Organ>,
    error: Option<&'a str>,
    done: bool,
}

/// One organ with the form to rename or move it.
pub fn organ(c: &Ctx, organ: &Organ, organs: &[Organ], error: Option<&str>, done: bool) -> Response {
    let below = gongkai_register::descendants(organs, organ.id);
    html(&OrganPage {
        nav: Nav::of(c),
        organ,
        parent: organ.parent.map(|p| p.0.to_string()).unwrap_or_default(),
        targets: organs.iter().filter(|o| !below.contains(&o.id)).collect(),
        error,
        done,
    })
}

/// The user form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub organ: String,
    #[serde(default)]
    pub password: String,
}

impl UserForm {
    pub fn to_new(&self) -> Result<NewAccount, String> {
        let role = Role::parse(self.role.trim()).ok_or("请选择角色")?;
        let organ = match self.organ.trim() {
            "" => None,
            s => Some(OrganId(s.parse().map_err(|_| "机关无效".to_string())?)),
        };
        Ok(NewAccount {
            name: self.name.trim().to_string(),
            display_name: self.display_name.trim().to_string(),
            role,
            organ,
            password: self.password.clone(),
        })
    }
}

/// A user as listed.
pub struct UserLine {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub role: &'static str,
    pub organ: String,
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage<'a> {
    nav: Nav,
    users: Vec<UserLine>,
    organs: &'a [Organ],
    roles: Vec<Choice>,
    error: Option<&'a str>,
}

pub fn users(c: &Ctx, users: &[User], organs: &[Organ], error: Option<&str>) -> Response {
    let users = users.iter().map(|u| user_line(u, organs)).collect();
    html(&UsersPage { nav: Nav::of(c), users, organs, roles: role_choices(), error })
}

fn role_choices() -> Vec<Choice> {
    [Role::Clerk, Role::Head, Role::Supervisor, Role::Admin]
        .iter()
        .map(|r| Choice { value: r.as_str().into(), label: r.label().into() })
        .collect()
}

fn user_line(u: &User, organs: &[Organ]) -> UserLine {
    let organ = match u.organ {
        None => "全部".to_string(),
        Some(id) => organs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_else(|| id.0.to_string()),
    };
    UserLine {
        id: u.id.0,
        name: u.name.clone(),
        display_name: u.display_name.clone(),
        role: Role::parse(&u.role).map_or("（未知）", |r| r.label()),
        organ,
        state: if u.disabled {
            "已停用"
        } else if u.must_change {
            "待修改初始密码"
        } else {
            "正常"
        },
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage<'a> {
    nav: Nav,
    u: UserLine,
    version: i64,
    role: String,
    organ: String,
    disabled: bool,
    organs: &'a [Organ],
    roles: Vec<Choice>,
    error: Option<&'a str>,
    done: Option<&'a str>,
}

/// One account with the forms to manage it.
pub fn user(c: &Ctx, u: &User, organs: &[Organ], error: Option<&str>, done: Option<&str>) -> Response {
    html(&UserPage {
        nav: Nav::of(c),
        u: user_line(u, organs),
        version: u.version,
        role: u.role.clone(),
        organ: u.organ.map(|o| o.0.to_string()).unwrap_or_default(),
        disabled: u.disabled,
        organs,
        roles: role_choices(),
        error,
        done,
    })
}

/// The account form (one operation per submit).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub op: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub organ: String,
    #[serde(default)]
    pub password: String,
}

impl AccountForm {
    pub fn to_change(&self) -> Result<gongkai_app::accounts::AccountChange, String> {
        use gongkai_app::accounts::AccountChange;
        Ok(match self.op.as_str() {
            "disable" => AccountChange::Disable,
            "enable" => AccountChange::Enable,
            "reset" => AccountChange::ResetPassword { password: self.password.clone() },
            "role" => {
                let role = Role::parse(self.role.trim()).ok_or("请选择角色")?;
                let organ = match self.organ.trim() {
                    "" => None,
                    s => Some(OrganId(s.parse().map_err(|_| "机关无效".to_string())?)),
                };
                AccountChange::Role { role, organ }
            }
            _ => return Err("未知的操作".into()),
        })
    }

    /// What the page says after a successful change.
    pub fn done(&self) -> &'static str {
        match self.op.as_str() {
            "disable" => "已停用",
            "enable" => "已启用",
            "reset" => "已重设密码，该用户下次登录须修改",
            _ => "已保存",
        }
    }
}

/// A history row as shown.
pub struct HistoryLine {
    pub at: String,
    pub actor: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    nav: Nav,
    id: i64,
    rows: Vec<HistoryLine>,
}

/// The audit trail of one application (personal data masked).
pub fn history(c: &Ctx, id: i64, rows: &[gongkai_app::HistoryRow]) -> Response {
    let rows = rows
        .iter()
        .map(|r| HistoryLine {
            at: china_time(&r.entry.at),
            actor: r.entry.actor.clone(),
            change: r.change_text.clone(),
        })
        .collect();
    html(&HistoryPage { nav: Nav::of(c), id, rows })
}

/// The catalogue entry form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub organ: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub doc_number: String,
    #[serde(default)]
    pub issued: String,
}

impl EntryForm {
    pub fn to_new(&self) -> Result<NewCatalogueEntry, String> {
        let organ = OrganId(self.organ.trim().parse().map_err(|_| "请选择机关".to_string())?);
        let kind = match self.kind.as_str() {
            "rule" => CatalogueKind::Rule,
            _ => CatalogueKind::Normative,
        };
        let issued = gongkai_register::validate::date("发布日期", &self.issued).map_err(|e| e.to_string())?;
        Ok(NewCatalogueEntry {
            organ,
            kind,
            title: self.title.trim().to_string(),
            doc_number: self.doc_number.trim().to_string(),
            issued,
        })
    }
}

/// A catalogue entry as listed.
pub struct EntryLine {
    pub id: i64,
    pub version: i64,
    pub index_no: String,
    pub kind: &'static str,
    pub title: String,
    pub doc_number: String,
    pub issued: String,
    pub repealed: String,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage<'a> {
    nav: Nav,
    organs: &'a [Organ],
    /// The chosen organ's id as text ("" when none).
    organ: String,
    entries: Vec<EntryLine>,
    error: Option<&'a str>,
    today: String,
}

pub fn catalogue(
    c: &Ctx,
    organs: &[Organ],
    organ: Option<OrganId>,
    entries: &[CatalogueEntry],
    error: Option<&str>,
) -> Response {
    let entries = entries
        .iter()
        .map(|e| EntryLine {
            id: e.id.0,
            version: e.version,
            index_no: e.index_no.clone(),
            kind: e.kind.label(),
            title: e.title.clone(),
            doc_number: e.doc_number.clone(),
            issued: zh(e.issued),
            repealed: e.repealed.map(zh).unwrap_or_default(),
        })
        .collect();
    let organ = organ.map(|o| o.0.to_string()).unwrap_or_default();
    html(&CataloguePage {
        nav: Nav::of(c),
        organs,
        organ,
        entries,
        error,
        today: gongkai_app::today_in_china().to_string(),
    })
}

/// The new-case form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CaseForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub organ: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub filed: String,
}

impl CaseForm {
    pub fn to_new(&self) -> Result<NewCase, String> {
        let organ = OrganId(self.organ.trim().parse().map_err(|_| "请选择机关".to_string())?);
        let kind = match self.kind.as_str() {
            "direct_litigation" => CaseKind::DirectLitigation,
            "litigation_after_review" => CaseKind::LitigationAfterReview,
            _ => CaseKind::Review,
        };
        let filed = gongkai_register::validate::date("立案日期", &self.filed).map_err(|e| e.to_string())?;
        Ok(NewCase { organ, kind, number: self.number.trim().to_string(), filed })
    }
}

/// The conclude-a-case form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ConcludeForm {
    #[serde(default)]
    pub csrf: String,
    pub version: i64,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub result: String,
}

impl ConcludeForm {
    pub fn parse(&self) -> Result<(jiff::civil::Date, CaseResult), String> {
        let on = gongkai_register::validate::date("审结日期", &self.on).map_err(|e| e.to_string())?;
        let result = match self.result.as_str() {
            "maintained" => CaseResult::Maintained,
            "corrected" => CaseResult::Corrected,
            "other" => CaseResult::Other,
            _ => return Err("请选择审结结果".into()),
        };
        Ok((on, result))
    }
}

/// A case as listed.
pub struct CaseLine {
    pub id: i64,
    pub kind: &'static str,
    pub number: String,
    pub filed: String,
    pub concluded: String,
    pub open: bool,
    pub version: i64,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage<'a> {
    nav: Nav,
    organs: &'a [Organ],
    organ: String,
    cases: Vec<CaseLine>,
    error: Option<&'a str>,
    today: String,
}

pub fn cases(c: &Ctx, organs: &[Organ], organ: Option<OrganId>, list: &[Case], error: Option<&str>) -> Response {
    let cases = list
        .iter()
        .map(|k| CaseLine {
            id: k.id.0,
            kind: k.kind.label(),
            number: k.number.clone(),
            filed: zh(k.filed),
            concluded: k
                .concluded
                .map(|(d, r)| format!("{}，{}", zh(d), r.label()))
                .unwrap_or_else(|| "尚未审结".into()),
            open: k.concluded.is_none(),
            version: k.version,
        })
        .collect();
    let organ = organ.map(|o| o.0.to_string()).unwrap_or_default();
    html(&CasesPage { nav: Nav::of(c), organs, organ, cases, error, today: gongkai_app::today_in_china().to_string() })
}

/// The table-二 counts form (blank fields stay blank: blank is never 0).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CountsForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub organ: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub licences: String,
    #[serde(default)]
    pub penalties: String,
    #[serde(default)]
    pub coercions: String,
    #[serde(default)]
    pub fee_wan: String,
}

impl CountsForm {
    pub fn to_counts(&self, today: jiff::civil::Date) -> Result<YearlyCounts, String> {
        let organ = OrganId(self.organ.trim().parse().map_err(|_| "请选择机关".to_string())?);
        let year: i16 = self.year.trim().parse().map_err(|_| "年度无效".to_string())?;
        let count = |v: &str, what: &str| -> Result<Option<u64>, String> {
            match v.trim() {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| format!("{what}“{t}”应为不小于0的整数")),
            }
        };
        let fee_wan = match self.fee_wan.trim() {
            "" => None,
            t => Some(t.parse::<rust_decimal::Decimal>().map_err(|_| format!("收费金额“{t}”不是有效的数（万元）"))?),
        };
        Ok(YearlyCounts {
            organ,
            year,
            licences: count(&self.licences, "行政许可数量")?,
            penalties: count(&self.penalties, "行政处罚数量")?,
            coercions: count(&self.coercions, "行政强制数量")?,
            fee_wan,
            confirmed_on: Some(today),
        })
    }
}

#[derive(Template)]
#[template(path = "counts.html")]
struct CountsPage<'a> {
    nav: Nav,
    organs: &'a [Organ],
    organ: String,
    year: i16,
    licences: String,
    penalties: String,
    coercions: String,
    fee_wan: String,
    saved: bool,
    error: Option<&'a str>,
}

pub fn counts(
    c: &Ctx,
    organs: &[Organ],
    organ: Option<OrganId>,
    year: i16,
    counts: Option<&YearlyCounts>,
    error: Option<&str>,
) -> Response {
    let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    html(&CountsPage {
        nav: Nav::of(c),
        organs,
        organ: organ.map(|o| o.0.to_string()).unwrap_or_default(),
        year,
        licences: n(counts.and_then(|x| x.licences)),
        penalties: n(counts.and_then(|x| x.penalties)),
        coercions: n(counts.and_then(|x| x.coercions)),
        fee_wan: counts.and_then(|x| x.fee_wan).map(|d| d.to_string()).unwrap_or_default(),
        saved: counts.is_some(),
        error,
    })
}

/// What the ledger page shows after an upload or an import.
#[derive(Debug, Default)]
pub struct LedgerResult {
    /// The uploaded file's name.
    pub file: String,
    /// Every bad row (nothing was written).
    pub errors: Vec<gongkai_register::ledger::RowError>,
    /// A preview that passed: the rows and the digest the import is bound to.
    pub checked: Option<usize>,
    pub digest: String,
    /// Rows imported, first and last application id.
    pub imported: Option<(usize, i64, i64)>,
    pub warnings: Vec<String>,
    /// A refusal of the whole file.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage<'a> {
    nav: Nav,
    organs: &'a [Organ],
    organ: String,
    organ_name: String,
    r: &'a LedgerResult,
    can_import: bool,
    /// Whether the role may see personal data in its own organ (the unmasked export).
    can_unmask: bool,
}

pub fn ledger(c: &Ctx, organs: &[Organ], organ: Option<OrganId>, r: &LedgerResult) -> Response {
    let organ_name =
        organ.and_then(|id| organs.iter().find(|o| o.id == id)).map(|o| o.name.clone()).unwrap_or_default();
    let can_import = gongkai_app::allowed(c.principal.role, gongkai_app::Action::Register, gongkai_app::Relation::Own);
    let can_unmask = gongkai_app::allowed(c.principal.role, gongkai_app::Action::Unmask, gongkai_app::Relation::Own);
    html(&LedgerPage {
        nav: Nav::of(c),
        organs,
        organ: organ.map(|o| o.0.to_string()).unwrap_or_default(),
        organ_name,
        r,
        can_import,
        can_unmask,
    })
}
