//! The service layer of gongkai: every use case a front end offers, as a method of [`App`] that
//! takes typed input and returns a serialisable view. The CLI (and the web and JSON API to
//! come) are thin adapters: parse arguments or a form → call a method → print or render the
//! view. They hold no domain logic and no authorization rule.
//!
//! An [`App`] is a store handle plus the acting [`Principal`]. Each method
//! 1. finds the organ its record belongs to,
//! 2. asks [`App::authorize`] whether the principal's role may do the method's [`Action`] on
//!    an organ in that [`Relation`] to its scope (the one table is [`auth::POLICY`]),
//! 3. does the work through the store, with the principal's name as the audit actor.
//!
//! Personal data is masked unless the method is asked to unmask **and** the role may
//! ([`Action::Unmask`]); every unmasked read writes an audit row ([`Store::audit_disclosure`]).
//! "Today" is always passed in by the caller (the CLI's `--today`, the server's clock in
//! Asia/Shanghai), never read here.
//!
//! Besides the register's use cases: [`batch`], checking and auditing many report files in
//! flat memory (the CLI's `check DIR`, `audit DIR --out X`, `aggregate`), and [`documents`],
//! a report rendered in the official layout per output format.

pub mod accounts;
pub mod auth;
pub mod batch;
pub mod documents;
pub mod ledger;
pub mod letters;
pub mod views;

pub use auth::{Action, OrganTree, Principal, Relation, Role, Scope, allowed, relation};
pub use views::*;

use gongkai_calendar::{CalendarError, Listed};
use gongkai_clock::{Clock, ClockError, Event};
use gongkai_register::{AppId, CaseId, CaseResult, CatalogueEntry, EntryId, Organ, OrganId, YearlyCounts};
use gongkai_store::{
    Case, Entity, HolidayImport, NewApplication, NewCase, NewCatalogueEntry, NewOrgan, Personal, Store, StoreError,
};
use jiff::civil::Date;

/// Why a use case was refused or failed. Messages are Chinese; [`AppError::code`] is stable
/// and maps to an HTTP status ([`AppError::status`]).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The principal's role may not do this here.
    #[error("无权{action}：{reason}")]
    Denied { action: &'static str, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Clock(#[from] ClockError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Compile(#[from] gongkai_compile::CompileError),
    #[error("{0}")]
    Invalid(String),
    /// A record that must be unique exists already (an organ's name under its parent).
    #[error("{0}")]
    Duplicate(String),
    /// Field errors of a form or command (each names its field), for inline display.
    #[error("输入有误：{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"))]
    Fields(Vec<gongkai_register::validate::Invalid>),
}

/// Refuse when a validation found problems.
fn refuse(invalid: Vec<gongkai_register::validate::Invalid>) -> Result<()> {
    if invalid.is_empty() { Ok(()) } else { Err(AppError::Fields(invalid)) }
}

impl AppError {
    /// A stable code for programs (JSON API, scripts): `denied`, `not_found`, `stale`,
    /// `duplicate`, `invalid`, `busy` (every connection of the store's pool stayed in use),
    /// `backend`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Denied { .. } => "denied",
            AppError::Store(StoreError::NotFound { .. }) => "not_found",
            AppError::Store(StoreError::Stale { .. }) => "stale",
            AppError::Store(StoreError::DuplicateSerial(_) | StoreError::DuplicateIndexNo(_))
            | AppError::Duplicate(_) => "duplicate",
            AppError::Store(StoreError::PoolTimeout { .. }) => "busy",
            AppError::Store(StoreError::Backend { .. } | StoreError::AsyncWorker) => "backend",
            AppError::Store(_)
            | AppError::Clock(_)
            | AppError::Calendar(_)
            | AppError::Compile(_)
            | AppError::Invalid(_)
            | AppError::Fields(_) => "invalid",
        }
    }

    /// The HTTP status of [`AppError::code`].
    pub fn status(&self) -> u16 {
        match self.code() {
            "denied" => 403,
            "not_found" => 404,
            "stale" | "duplicate" => 409,
            "busy" => 503,
            "backend" => 500,
            _ => 422,
        }
    }
}

/// Result of a use case.
pub type Result<T> = std::result::Result<T, AppError>;

/// An organ among `organs` by number or by full name: the one rule for every front end and
/// for records files. A name that fits no organ, or more than one, is refused with the
/// candidates named.
pub fn pick_organ(organs: &[Organ], spec: &str) -> Result<OrganId> {
    let spec = spec.trim();
    if let Ok(id) = spec.parse::<i64>() {
        return Ok(OrganId(id));
    }
    let found: Vec<&Organ> = organs.iter().filter(|o| o.name.trim() == spec).collect();
    match found.as_slice() {
        [o] => Ok(o.id),
        [] => Err(AppError::Invalid(format!(
            "没有名为“{spec}”的机关（现有：{}）",
            organs.iter().map(|o| format!("{} {}", o.id.0, o.name)).collect::<Vec<_>>().join("、")
        ))),
        many => Err(AppError::Invalid(format!(
            "名为“{spec}”的机关不止一个（编号 {}），请用编号指定",
            many.iter().map(|o| o.id.0.to_string()).collect::<Vec<_>>().join("、")
        ))),
    }
}

/// The register's store acting for one principal (one `App` per request or command; the
/// store is shared, see [`Store`]).
pub struct App<'s> {
    store: &'s dyn Store,
    who: Principal,
    /// The organ tree, read once per `App` (every authorization needs it) or handed in by the
    /// caller ([`App::with_tree`]); dropped when an organ is added or changed through this `App`.
    tree: Option<std::sync::Arc<OrganTree>>,
}

impl std::fmt::Debug for App<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("backend", &self.store.backend()).field("who", &self.who).finish()
    }
}

impl<'s> App<'s> {
    pub fn new(store: &'s dyn Store, who: Principal) -> App<'s> {
        App { store, who, tree: None }
    }

    /// An `App` that takes `tree` as the register's organ tree instead of reading it (a
    /// caller's copy read no earlier than the request began: the web keeps one per change mark).
    pub fn with_tree(store: &'s dyn Store, who: Principal, tree: std::sync::Arc<OrganTree>) -> App<'s> {
        App { store, who, tree: Some(tree) }
    }

    /// The organ tree this `App` has read or was given, if any (for a caller's cache).
    pub fn tree_read(&self) -> Option<std::sync::Arc<OrganTree>> {
        self.tree.clone()
    }

    /// The organ tree (read from the store on first use).
    pub(crate) fn tree(&mut self) -> Result<std::sync::Arc<OrganTree>> {
        if let Some(t) = &self.tree {
            return Ok(t.clone());
        }
        let t = std::sync::Arc::new(OrganTree::new(self.store.organs()?));
        self.tree = Some(t.clone());
        Ok(t)
    }

    /// Run one use case inside a `use_case` span (its name; the action and the organ id are
    /// recorded by [`App::authorize`]) and log its outcome code (`ok` or [`AppError::code`])
    /// and duration. Never an argument's value: no personal data reaches the logs.
    fn use_case<T>(&mut self, name: &'static str, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let span = tracing::info_span!(
            "use_case",
            use_case = name,
            action = tracing::field::Empty,
            organ = tracing::field::Empty
        );
        let _entered = span.enter();
        let started = std::time::Instant::now();
        let result = f(self);
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        let elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        // A refusal is the user's to read (the front end shows the message); only a backend
        // failure or a store too busy to answer is a warning for whoever runs the service.
        if matches!(outcome, "backend" | "busy") {
            tracing::warn!(use_case = name, outcome, elapsed_us, "use case failed");
        } else {
            tracing::info!(use_case = name, outcome, elapsed_us, "use case done");
        }
        result
    }

    /// The acting principal.
    pub fn principal(&self) -> &Principal {
        &self.who
    }

    pub(crate) fn store(&self) -> &'s dyn Store {
        self.store
    }

    /// Check that the principal may do `action` on the whole register (a root organ, a
    /// whole-register account): its scope must be the whole register and its role must be
    /// allowed the action on its own scope.
    pub fn authorize_whole_register(&mut self, action: Action) -> Result<()> {
        tracing::Span::current().record("action", tracing::field::debug(action));
        if self.who.scope == Scope::Everywhere && allowed(self.who.role, action, Relation::Own) {
            return Ok(());
        }
        Err(AppError::Denied {
            action: action.label(), reason: "只能在本机关及下级机关范围内操作".into()
        })
    }

    /// The store, for read-only questions no use case covers yet (the calendar).
    pub fn calendar(&self) -> std::sync::Arc<gongkai_calendar::Calendar> {
        self.store.calendar()
    }

    /// Check that the principal may do `action` on `organ` (`None`: on nothing organ-specific,
    /// like the national calendar). Returns the relation found.
    pub fn authorize(&mut self, action: Action, organ: Option<OrganId>) -> Result<Relation> {
        let span = tracing::Span::current();
        span.record("action", tracing::field::debug(action));
        if let Some(o) = organ {
            span.record("organ", o.0);
        }
        let rel = match organ {
            None => Relation::Global,
            Some(o) => {
                let organs = self.tree()?;
                if !organs.contains(o) {
                    return Err(StoreError::NotFound { entity: "机关", id: o.0.to_string() }.into());
                }
                organs.relation(self.who.scope, o)
            }
        };
        if allowed(self.who.role, action, rel) {
            return Ok(rel);
        }
        let place = match (organ, rel) {
            (Some(o), _) => format!("机关 {} 不在“{}”的权限范围内", o.0, self.who.role.label()),
            (None, _) => format!("“{}”不能做此操作", self.who.role.label()),
        };
        let reason = if rel == Relation::Own || rel == Relation::Global {
            format!("“{}”角色不能{}", self.who.role.label(), action.label())
        } else {
            place
        };
        Err(AppError::Denied { action: action.label(), reason })
    }

    /// The organs the principal may read, of those in `ids`.
    fn readable(&mut self, ids: Vec<OrganId>) -> Result<Vec<OrganId>> {
        let organs = self.tree()?;
        let relation = organs.relations(self.who.scope);
        Ok(ids.into_iter().filter(|o| allowed(self.who.role, Action::Read, relation(*o))).collect())
    }

    /// Whether personal data may be shown: asked for (with a purpose) and allowed; the read is
    /// audited. Asked for but not allowed is refused, not silently masked.
    fn personal(&mut self, unmask: Option<&str>, organ: OrganId, entity: Entity, id: &str) -> Result<Personal> {
        let Some(purpose) = unmask else { return Ok(Personal::Masked) };
        self.authorize(Action::Unmask, Some(organ))?;
        let purpose = if purpose.trim().is_empty() { "未说明用途" } else { purpose.trim() };
        if purpose.starts_with(letters::SIGN_PREFIX) {
            return Err(AppError::Invalid(format!(
                "查看个人信息的用途不能以“{}”开头（这一写法专用于负责人签发文书的记录）",
                letters::SIGN_PREFIX
            )));
        }
        self.store.audit_disclosure(entity, id, &self.who.user, purpose)?;
        Ok(Personal::Visible)
    }

    // ------------------------------------------------------------------ organs

    /// Add an organ under `new.parent` (a root organ needs a whole-register principal). Two
    /// organs of one name under the same parent are refused: a name must pick one organ.
    pub fn add_organ(&mut self, new: &NewOrgan) -> Result<Organ> {
        self.use_case("add_organ", |s| s.add_organ_uc(new))
    }

    fn add_organ_uc(&mut self, new: &NewOrgan) -> Result<Organ> {
        match new.parent {
            Some(p) => {
                self.authorize(Action::ManageOrgans, Some(p))?;
            }
            None => self.authorize_whole_register(Action::ManageOrgans)?,
        }
        let name = new.name.trim();
        if let Some(same) = self.tree()?.iter().find(|o| o.parent == new.parent && o.name.trim() == name) {
            let under = match new.parent {
                Some(p) => format!("上级机关 {} 下", p.0),
                None => "顶层".to_string(),
            };
            return Err(AppError::Duplicate(format!(
                "{under}已有名为“{name}”的机关（编号 {}），同一上级下的机关名称不能重复",
                same.id.0
            )));
        }
        let organ = self.store.add_organ(new, &self.who.user)?;
        self.tree = None;
        Ok(organ)
    }

    /// Rename an organ and/or move it under another parent (`None`: the top level). The
    /// principal must manage the organ and the new parent (an administrator: both in their
    /// subtree, so a move never leaves it, and their own scope node cannot move, since its only
    /// parents in their subtree are its descendants); the store refuses cycles. Names are
    /// unique under one parent, as for [`App::add_organ`]. Audited before/after.
    pub fn change_organ(&mut self, id: OrganId, change: &gongkai_store::OrganChange) -> Result<Organ> {
        self.use_case("change_organ", |s| s.change_organ_uc(id, change))
    }

    fn change_organ_uc(&mut self, id: OrganId, change: &gongkai_store::OrganChange) -> Result<Organ> {
        self.authorize(Action::ManageOrgans, Some(id))?;
        let current = self.tree()?.iter().find(|o| o.id == id).map(|o| o.parent);
        if current != Some(change.parent) {
            match change.parent {
                Some(p) => {
                    self.authorize(Action::ManageOrgans, Some(p))?;
                }
                None => self.authorize_whole_register(Action::ManageOrgans)?,
            }
        }
        let name = change.name.trim();
        if let Some(same) =
            self.tree()?.iter().find(|o| o.id != id && o.parent == change.parent && o.name.trim() == name)
        {
            return Err(AppError::Duplicate(format!(
                "目标上级下已有名为“{name}”的机关（编号 {}），同一上级下的机关名称不能重复",
                same.id.0
            )));
        }
        let organ = self.store.change_organ(id, change, &self.who.user)?;
        self.tree = None;
        Ok(organ)
    }

    /// The organs the principal may read, in id order.
    pub fn organs(&mut self) -> Result<Vec<Organ>> {
        self.use_case("organs", |s| s.organs_uc())
    }

    fn organs_uc(&mut self) -> Result<Vec<Organ>> {
        let organs = self.tree()?;
        let relation = organs.relations(self.who.scope);
        Ok(organs.iter().filter(|o| allowed(self.who.role, Action::Read, relation(o.id))).cloned().collect())
    }

    // ------------------------------------------------------------------ applications

    /// Register an application; the view has the due date (provisional years named). The
    /// fields are checked at the edge (`gongkai_register::validate`: check characters, lengths,
    /// no date after `today`).
    pub fn register(&mut self, new: &NewApplication, today: Date) -> Result<RegisterView> {
        self.use_case("register", |s| s.register_uc(new, today))
    }

    fn register_uc(&mut self, new: &NewApplication, today: Date) -> Result<RegisterView> {
        self.authorize(Action::Register, Some(new.organ))?;
        use gongkai_register::validate;
        let mut invalid = validate::applicant(&new.applicant);
        invalid.extend(validate::stored_application(&new.serial, &new.applicant, &new.description, &new.events));
        invalid.extend(validate::not_after(&new.events, today).err());
        refuse(invalid)?;
        let app = self.store.register(new, &self.who.user)?;
        let clock = Clock::replay(&self.store.calendar(), &app.events)?;
        Ok(RegisterView {
            id: app.id,
            serial: app.serial,
            version: app.version,
            due: clock.due,
            provisional: clock.provisional,
        })
    }

    /// Append an event at `version`, dated no later than `today`. An extension needs
    /// [`Action::ApproveExtension`].
    pub fn record_event(&mut self, id: AppId, version: i64, event: &Event, today: Date) -> Result<EventView> {
        self.use_case("record_event", |s| s.record_event_uc(id, version, event, today))
    }

    fn record_event_uc(&mut self, id: AppId, version: i64, event: &Event, today: Date) -> Result<EventView> {
        let organ = self.store.application(id, Personal::Masked)?.organ;
        let action =
            if matches!(event, Event::Extended { .. }) { Action::ApproveExtension } else { Action::RecordEvent };
        self.authorize(action, Some(organ))?;
        use gongkai_register::validate;
        let mut invalid: Vec<_> = validate::event(event).err().into_iter().collect();
        invalid.extend(validate::not_after(std::slice::from_ref(event), today).err());
        refuse(invalid)?;
        let app = self.store.append_event(id, version, event, &self.who.user)?;
        let clock = Clock::replay(&self.store.calendar(), &app.events)?;
        Ok(EventView {
            id: app.id,
            version: app.version,
            events: app.events.len(),
            due: clock.due,
            state: clock.state.clone(),
            state_text: state_text(&clock),
            provisional: clock.provisional,
        })
    }

    /// One application with its clock explained. `unmask`: the purpose of seeing the
    /// applicant's personal data (audited); `None` keeps it masked.
    pub fn show(&mut self, id: AppId, unmask: Option<&str>, today: Date) -> Result<ShowView> {
        self.use_case("show", |s| s.show_uc(id, unmask, today))
    }

    fn show_uc(&mut self, id: AppId, unmask: Option<&str>, today: Date) -> Result<ShowView> {
        let masked = self.store.application(id, Personal::Masked)?;
        let organ = masked.organ;
        self.authorize(Action::Read, Some(organ))?;
        let personal = self.personal(unmask, organ, Entity::Application, &id.0.to_string())?;
        // Read again only to unmask (the masked record is the one just read).
        let application = match personal {
            Personal::Masked => masked,
            Personal::Visible => self.store.application(id, personal)?,
        };
        let cal = self.store.calendar();
        let clock = Clock::replay(&cal, &application.events)?;
        let days_left = clock.days_left(&cal, today).ok().flatten();
        Ok(ShowView {
            overdue: clock.overdue(today),
            state_text: state_text(&clock),
            explain: clock.explain(),
            today,
            days_left,
            application,
            clock,
        })
    }

    /// The applications of `organ` and below (or of everything the principal reads) due within
    /// `within` working days of `today`, overdue ones included.
    pub fn due(&mut self, within: u32, organ: Option<OrganId>, today: Date) -> Result<DueView> {
        self.use_case("due", |s| s.due_uc(within, organ, today))
    }

    fn due_uc(&mut self, within: u32, organ: Option<OrganId>, today: Date) -> Result<DueView> {
        let organs = match organ {
            Some(o) => {
                self.authorize(Action::Read, Some(o))?;
                let below = self.tree()?.descendants(o);
                self.readable(below)?
            }
            None => {
                let all = self.tree()?.iter().map(|o| o.id).collect();
                self.readable(all)?
            }
        };
        let cal = self.store.calendar();
        let until = cal.add_workdays(today, within)?;
        let items = self.store.due_list(&organs, until)?;
        let mut years = cal.provisional_years(today, until);
        for it in items.iter().filter(|i| i.provisional) {
            years.extend(cal.provisional_years(it.received, it.due));
        }
        years.sort_unstable();
        years.dedup();
        let rows = items
            .into_iter()
            .map(|it| DueRow {
                days_left: cal.workdays_between(today, it.due).ok(),
                overdue: today > it.due,
                id: it.id,
                organ: it.organ,
                serial: it.serial,
                received: it.received,
                due: it.due,
                version: it.version,
                provisional: it.provisional,
            })
            .collect();
        Ok(DueView { today, until, within, items: rows, provisional_years: years })
    }

    /// The dashboard: the due list of everything the principal reads, and counts by organ and
    /// state (overdue counted on `today`).
    pub fn dashboard(&mut self, within: u32, today: Date) -> Result<DashboardView> {
        self.use_case("dashboard", |s| s.dashboard_uc(within, today))
    }

    fn dashboard_uc(&mut self, within: u32, today: Date) -> Result<DashboardView> {
        let due = self.due(within, None, today)?;
        let organs = self.organs()?;
        let ids: Vec<OrganId> = organs.iter().map(|o| o.id).collect();
        let stats = self.store.state_counts(&ids, today)?;
        let counts = organs
            .into_iter()
            .map(|organ| {
                let mut c = OrganCounts { organ, open: 0, paused: 0, awaiting: 0, closed: 0, overdue: 0 };
                for s in stats.iter().filter(|s| s.organ == c.organ.id) {
                    let n = s.count as usize;
                    match s.state {
                        gongkai_store::StoredState::Open => c.open += n,
                        gongkai_store::StoredState::Paused => c.paused += n,
                        gongkai_store::StoredState::AwaitingCorrection => c.awaiting += n,
                        gongkai_store::StoredState::Closed => c.closed += n,
                    }
                    c.overdue += s.overdue as usize;
                }
                c
            })
            .collect();
        Ok(DashboardView { due, organs: counts })
    }

    /// One page of the applications the principal reads, filtered, oldest receipt first,
    /// personal data masked. `today` decides `overdue`. `known_total`: the number of matching
    /// applications when the caller knows it already (from a cache kept by the register's
    /// change mark, for the same principal, filters and day), so it is not counted again.
    pub fn list_applications(&mut self, q: &ListQuery, today: Date, known_total: Option<u64>) -> Result<ListView> {
        self.use_case("list_applications", |s| s.list_applications_uc(q, today, known_total))
    }

    fn list_applications_uc(&mut self, q: &ListQuery, today: Date, known_total: Option<u64>) -> Result<ListView> {
        const PER_PAGE: usize = 50;
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let date = |v: &Option<String>, field: &'static str| -> Result<Option<Date>> {
            text(v)
                .map(|s| gongkai_register::validate::date(field, &s).map_err(|e| AppError::Invalid(e.to_string())))
                .transpose()
        };
        let (from, to) = (date(&q.from, "收到日期起")?, date(&q.to, "收到日期止")?);
        let page = match text(&q.page) {
            None => 1,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| AppError::Invalid(format!("页码“{p}”无效")))?,
        };
        let key = |v: &Option<String>| -> Result<Option<(Date, AppId)>> {
            let Some(k) = text(v) else { return Ok(None) };
            let parsed = k.split_once('.').and_then(|(d, id)| Some((d.parse::<Date>().ok()?, AppId(id.parse().ok()?))));
            parsed.map(Some).ok_or_else(|| AppError::Invalid(format!("翻页位置“{k}”无效")))
        };
        let key = match (key(&q.after)?, key(&q.before)?) {
            (Some(_), Some(_)) => return Err(AppError::Invalid("翻页位置不能同时指定前后两个方向".into())),
            (Some((d, id)), None) => Some(gongkai_store::PageKey::After(d, id)),
            (None, Some((d, id))) => Some(gongkai_store::PageKey::Before(d, id)),
            (None, None) => None,
        };
        let organs = match text(&q.organ) {
            Some(o) => {
                let id = OrganId(o.parse().map_err(|_| AppError::Invalid(format!("机关“{o}”无效")))?);
                self.authorize(Action::Read, Some(id))?;
                let below = self.tree()?.descendants(id);
                self.readable(below)?
            }
            None => {
                let all = self.tree()?.iter().map(|o| o.id).collect();
                self.readable(all)?
            }
        };
        let state = text(&q.state);
        if let Some(s) = &state
            && !["open", "paused", "awaiting_correction", "closed", "overdue"].contains(&s.as_str())
        {
            return Err(AppError::Invalid(format!("状态“{s}”无效")));
        }
        let kind = match text(&q.kind) {
            None => None,
            Some(k) => Some(
                gongkai_register::ApplicantKind::parse(&k)
                    .ok_or_else(|| AppError::Invalid(format!("申请人类型“{k}”无效")))?,
            ),
        };
        let outcome = match text(&q.outcome) {
            None => None,
            Some(o) => Some(
                gongkai_clock::Outcome::from_id(&o).ok_or_else(|| AppError::Invalid(format!("办理结果“{o}”无效")))?,
            ),
        };
        let filter = gongkai_store::AppFilter {
            organs,
            state: state.map(|s| match s.as_str() {
                "overdue" => gongkai_store::StateFilter::OverdueOn(today),
                other => gongkai_store::StateFilter::Is(
                    gongkai_store::StoredState::parse(other).unwrap_or(gongkai_store::StoredState::Open),
                ),
            }),
            received_from: from,
            received_to: to,
            kind,
            outcome,
            serial: text(&q.q),
            offset: (page - 1).saturating_mul(PER_PAGE) as u64,
            limit: PER_PAGE as u64,
            key,
            known_total,
        };
        let (items, total) = self.store.applications_page(&filter, Personal::Masked)?;
        let total = total as usize;
        let names = self.organs()?;
        Ok(ListView { items, total, page, per_page: PER_PAGE, organs: names })
    }

    /// The audit trail of one record. `unmask` as in [`App::show`].
    pub fn history(&mut self, entity: Entity, id: &str, unmask: Option<&str>) -> Result<Vec<HistoryRow>> {
        self.use_case("history", |s| s.history_uc(entity, id, unmask))
    }

    fn history_uc(&mut self, entity: Entity, id: &str, unmask: Option<&str>) -> Result<Vec<HistoryRow>> {
        let organ = self.organ_of(entity, id)?;
        match (entity, organ) {
            // An account's history is for those who manage accounts there.
            (Entity::User, Some(o)) => {
                self.authorize(Action::ManageOrgans, Some(o))?;
            }
            (Entity::User, None) => self.authorize_whole_register(Action::ManageOrgans)?,
            _ => {
                self.authorize(Action::Read, organ)?;
            }
        }
        let personal = match (unmask, organ) {
            (Some(_), Some(o)) => self.personal(unmask, o, entity, id)?,
            _ => Personal::Masked,
        };
        Ok(self.store.audit_log(entity, id, personal)?.into_iter().map(HistoryRow::from).collect())
    }

    /// The organ a record belongs to (`None` for the calendar).
    fn organ_of(&mut self, entity: Entity, id: &str) -> Result<Option<OrganId>> {
        let num = |s: &str| s.trim().parse::<i64>().map_err(|_| AppError::Invalid(format!("记录编号“{s}”应为数字")));
        Ok(match entity {
            Entity::Organ => Some(OrganId(num(id)?)),
            Entity::Application => Some(self.store.application(AppId(num(id)?), Personal::Masked)?.organ),
            Entity::CatalogueEntry => Some(self.store.catalogue_entry(EntryId(num(id)?))?.organ),
            Entity::Case => Some(self.store.case(CaseId(num(id)?))?.organ),
            Entity::YearlyCounts => {
                let (o, _) = id
                    .split_once('/')
                    .ok_or_else(|| AppError::Invalid(format!("年度数量的编号应为“机关编号/年份”，不是“{id}”")))?;
                Some(OrganId(num(o)?))
            }
            Entity::Calendar => None,
            Entity::User => self.store.user(gongkai_store::UserId(num(id)?))?.organ,
        })
    }

    // ------------------------------------------------------------------ catalogue, cases, counts

    pub fn add_catalogue_entry(&mut self, new: &NewCatalogueEntry) -> Result<CatalogueEntry> {
        self.use_case("add_catalogue_entry", |s| s.add_catalogue_entry_uc(new))
    }

    fn add_catalogue_entry_uc(&mut self, new: &NewCatalogueEntry) -> Result<CatalogueEntry> {
        self.authorize(Action::Keep, Some(new.organ))?;
        Ok(self.store.add_catalogue_entry(new, &self.who.user)?)
    }

    pub fn repeal_catalogue_entry(&mut self, id: EntryId, version: i64, on: Date) -> Result<CatalogueEntry> {
        self.use_case("repeal_catalogue_entry", |s| s.repeal_catalogue_entry_uc(id, version, on))
    }

    fn repeal_catalogue_entry_uc(&mut self, id: EntryId, version: i64, on: Date) -> Result<CatalogueEntry> {
        let organ = self.store.catalogue_entry(id)?.organ;
        self.authorize(Action::Keep, Some(organ))?;
        Ok(self.store.repeal_catalogue_entry(id, version, on, &self.who.user)?)
    }

    /// One catalogue entry (needs [`Action::Read`] on its organ).
    pub fn catalogue_entry(&mut self, id: EntryId) -> Result<CatalogueEntry> {
        self.use_case("catalogue_entry", |s| s.catalogue_entry_uc(id))
    }

    fn catalogue_entry_uc(&mut self, id: EntryId) -> Result<CatalogueEntry> {
        let entry = self.store.catalogue_entry(id)?;
        self.authorize(Action::Read, Some(entry.organ))?;
        Ok(entry)
    }

    pub fn catalogue(&mut self, organ: OrganId) -> Result<Vec<CatalogueEntry>> {
        self.use_case("catalogue", |s| s.catalogue_uc(organ))
    }

    fn catalogue_uc(&mut self, organ: OrganId) -> Result<Vec<CatalogueEntry>> {
        self.authorize(Action::Read, Some(organ))?;
        Ok(self.store.catalogue(organ)?)
    }

    pub fn add_case(&mut self, new: &NewCase) -> Result<Case> {
        self.use_case("add_case", |s| s.add_case_uc(new))
    }

    fn add_case_uc(&mut self, new: &NewCase) -> Result<Case> {
        self.authorize(Action::Keep, Some(new.organ))?;
        Ok(self.store.add_case(new, &self.who.user)?)
    }

    pub fn conclude_case(&mut self, id: CaseId, version: i64, on: Date, result: CaseResult) -> Result<Case> {
        self.use_case("conclude_case", |s| s.conclude_case_uc(id, version, on, result))
    }

    fn conclude_case_uc(&mut self, id: CaseId, version: i64, on: Date, result: CaseResult) -> Result<Case> {
        let organ = self.store.case(id)?.organ;
        self.authorize(Action::Keep, Some(organ))?;
        Ok(self.store.conclude_case(id, version, on, result, &self.who.user)?)
    }

    pub fn cases(&mut self, organ: OrganId) -> Result<Vec<Case>> {
        self.use_case("cases", |s| s.cases_uc(organ))
    }

    fn cases_uc(&mut self, organ: OrganId) -> Result<Vec<Case>> {
        self.authorize(Action::Read, Some(organ))?;
        Ok(self.store.cases(&[organ])?)
    }

    /// Save an organ's table-二 counts of a year (not negative, bounded: `validate::counts`).
    pub fn set_counts(&mut self, counts: &YearlyCounts) -> Result<()> {
        self.use_case("set_counts", |s| s.set_counts_uc(counts))
    }

    fn set_counts_uc(&mut self, counts: &YearlyCounts) -> Result<()> {
        self.authorize(Action::Keep, Some(counts.organ))?;
        refuse(gongkai_register::validate::counts(counts))?;
        Ok(self.store.set_counts(counts, &self.who.user)?)
    }

    pub fn counts(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
        self.use_case("counts", |s| s.counts_uc(organ, year))
    }

    fn counts_uc(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
        self.authorize(Action::Read, Some(organ))?;
        Ok(self.store.counts(organ, year)?)
    }

    /// An organ given by number or by its full name (names are matched among the organs the
    /// principal may read).
    pub fn resolve_organ(&mut self, spec: &str) -> Result<OrganId> {
        self.use_case("resolve_organ", |s| s.resolve_organ_uc(spec))
    }

    fn resolve_organ_uc(&mut self, spec: &str) -> Result<OrganId> {
        let spec = spec.trim();
        if let Ok(id) = spec.parse::<i64>() {
            return Ok(OrganId(id));
        }
        let organs = self.organs()?;
        pick_organ(&organs, spec)
    }

    // ------------------------------------------------------------------ the annual report

    /// Compile the annual report of `organ` (or, with `region`, of its whole subtree) for
    /// `year` from the register: the organ hierarchy, the facts of the applications table 三
    /// of `year` counts (indexed columns plus fee events, no whole logs), the catalogue, the
    /// yearly counts and the cases. A region is compiled over the organs the principal may read.
    pub fn compile_report(
        &mut self,
        organ: OrganId,
        year: i16,
        region: bool,
        opts: &gongkai_compile::Options,
    ) -> Result<gongkai_compile::Compiled> {
        self.use_case("compile_report", |s| s.compile_report_uc(organ, year, region, opts))
    }

    fn compile_report_uc(
        &mut self,
        organ: OrganId,
        year: i16,
        region: bool,
        opts: &gongkai_compile::Options,
    ) -> Result<gongkai_compile::Compiled> {
        self.authorize(Action::Read, Some(organ))?;
        let organs = self.tree()?.to_vec();
        let scope = if region {
            let below = self.tree()?.descendants(organ);
            self.readable(below)?
        } else {
            vec![organ]
        };
        let mut fees: std::collections::HashMap<i64, Vec<Event>> =
            self.store.fee_events_for_year(&scope, year)?.into_iter().map(|(id, e)| (id.0, e)).collect();
        let facts: Vec<gongkai_compile::AppFacts> = self
            .store
            .applications_for_year(&scope, year)?
            .into_iter()
            .map(|i| gongkai_compile::AppFacts {
                organ: i.organ,
                serial: format!("申请{}", i.id.0),
                kind: i.applicant_kind,
                received: Some(i.received),
                conclusion: i
                    .concluded
                    .zip(i.outcome)
                    .map(|(date, outcome)| gongkai_register::Conclusion { date, outcome }),
                fees_paid: fees.remove(&i.id.0).map(|e| gongkai_compile::fees_paid(&e)).unwrap_or_default(),
            })
            .collect();
        let mut catalogue = Vec::new();
        let mut counts = Vec::new();
        for o in &scope {
            catalogue.extend(self.store.catalogue(*o)?);
            counts.extend(self.store.counts(*o, year)?);
        }
        let cases = self.store.cases(&scope)?;
        let set = gongkai_compile::RecordSet { organs, catalogue, counts, cases, ..Default::default() };
        let recs = gongkai_compile::Records { facts: &facts, ..set.records() };
        Ok(if region {
            gongkai_compile::compile_region(&recs, organ, year, opts)?
        } else {
            gongkai_compile::compile(&recs, organ, year, opts)?
        })
    }

    // ------------------------------------------------------------------ calendar

    /// Import holiday data (a notice read by `gongkai_calendar::read_any`) into the register
    /// and recompute the provisional dates.
    pub fn import_holidays(&mut self, listed: &[Listed], source: &str) -> Result<HolidayImport> {
        self.use_case("import_holidays", |s| s.import_holidays_uc(listed, source))
    }

    fn import_holidays_uc(&mut self, listed: &[Listed], source: &str) -> Result<HolidayImport> {
        self.authorize(Action::ImportHolidays, None)?;
        if listed.is_empty() {
            return Err(AppError::Invalid("没有放假安排日期".into()));
        }
        Ok(self.store.import_holidays(listed, source, &self.who.user)?)
    }
}

/// Today's date in China ([`gongkai_clock::date_in_china`] of the system clock), which is the
/// date every statutory period counts from, wherever the server's clock is set. For the front
/// ends, which read the clock and pass "today" into every use case; no use case calls it.
pub fn today_in_china() -> Date {
    gongkai_clock::date_in_china(jiff::Timestamp::now())
}

/// One line on the state of an application: `办理中，答复期限 2024年10月30日` …
pub fn state_text(clock: &Clock) -> String {
    let opt = |d: Option<Date>| d.map(gongkai_clock::zh_date).unwrap_or_else(|| "（无）".into());
    match &clock.state {
        gongkai_clock::State::Open => format!("办理中，答复期限 {}", opt(clock.due)),
        gongkai_clock::State::Paused(_) => "中止计时（征求意见或收费）".into(),
        gongkai_clock::State::AwaitingCorrection => "待申请人补正".into(),
        gongkai_clock::State::Closed { outcome, on } => format!(
            "已于{}办结（{}）{}",
            gongkai_clock::zh_date(*on),
            outcome.label(),
            if clock.late { "，逾期答复" } else { "" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store whose pool stayed busy is 503 with its Chinese message (try again later), not
    /// a refusal of the input; a store call on an async worker is a server fault.
    #[test]
    fn busy_and_wrong_thread_store_errors_have_their_status() {
        let busy = AppError::from(StoreError::PoolTimeout { size: 8, waited_secs: 30 });
        assert_eq!((busy.code(), busy.status()), ("busy", 503));
        assert!(busy.to_string().contains("登记簿繁忙"), "{busy}");
        let thread = AppError::from(StoreError::AsyncWorker);
        assert_eq!((thread.code(), thread.status()), ("backend", 500));
    }
}
