//! The write workflows of the register, written once above the backends.
//!
//! A backend gives typed primitives — one SQL statement each, with its row mapping — through
//! [`Backend`] (reads, and [`Backend::begin`] for a write transaction) and [`WriteTx`] (the
//! statements of a write). Everything else a write does is here, once: validation, the
//! version check, the replay of an application's log and its derived columns, 索引号
//! numbering, the audit rows, the holiday import with its recomputation. A [`Backend`] is one
//! connection; [`crate::Pooled`] keeps a pool of them and is the [`Store`], each of its
//! methods checking a connection out and calling a workflow of this module (or a read).
//!
//! The calendar is the store's, shared by all its connections ([`SharedCalendar`]). A write
//! that derives dates takes it inside its transaction, under the holiday lock
//! ([`WriteTx::calendar_stamp`]; SQLite: `BEGIN IMMEDIATE` holds it already): an import in
//! progress is waited for, an import made meanwhile by another process is seen by its stamp
//! and the calendar reloaded ([`SharedCalendar::current`]), and this process's import replaces
//! the shared calendar while it commits ([`SharedCalendar::commit_with`]). So every derived
//! date is computed on the calendar as committed, and an import recomputes every
//! provisional date written before it.
//!
//! Transactions keep each backend's locking: a [`WriteTx`] is opened by [`Backend::begin`]
//! (SQLite: `BEGIN IMMEDIATE`, the write lock for the whole transaction; PostgreSQL: a
//! transaction in which the reads a workflow bases its write on take row locks when the
//! workflow asks for them with [`Lock::Update`]). A transaction dropped without
//! [`WriteTx::commit`] is rolled back, so an error anywhere in a workflow leaves no trace.

use crate::*;
use std::sync::Arc;

/// Whether a read inside a write transaction locks the row it reads until the transaction
/// ends (PostgreSQL `FOR UPDATE`). SQLite holds the database's write lock from `BEGIN
/// IMMEDIATE` and treats both alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// A plain read (the row is not written by this workflow).
    Share,
    /// The write is based on this row: concurrent writers wait, then see the new version.
    Update,
}

/// One audit row to write (see [`AuditEntry`] for what is read back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub entity: Entity,
    pub id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A new catalogue entry with its 索引号 drawn (see [`add_catalogue_entry`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRow<'a> {
    pub new: &'a NewCatalogueEntry,
    pub index_no: &'a str,
    pub scope: &'a str,
    pub seq: i64,
}

/// The statements of one write transaction. Implementations run SQL and map rows and
/// constraint violations (a taken 受理编号, 索引号 or user name) to [`StoreError`]; they decide
/// nothing else.
pub trait WriteTx {
    /// The organ, or [`StoreError::NotFound`].
    fn organ(&mut self, id: OrganId, lock: Lock) -> Result<Organ>;
    /// The first of these organs that does not exist.
    fn missing_organ(&mut self, ids: &[OrganId]) -> Result<Option<OrganId>>;
    fn insert_organ(&mut self, new: &NewOrgan) -> Result<OrganId>;
    /// Write an organ's name and parent.
    fn update_organ(&mut self, organ: &Organ) -> Result<()>;

    /// An application with its whole log, or [`StoreError::NotFound`].
    fn application(&mut self, id: AppId, lock: Lock) -> Result<Application>;
    /// Insert validated applications (version 1) with their derived columns, in order; a taken
    /// 受理编号 is [`StoreError::DuplicateSerial`]. Returns their new ids.
    fn insert_applications(&mut self, rows: &[(&NewApplication, Derived)]) -> Result<Vec<AppId>>;
    /// Insert events: (application, position in its log from 1, event).
    fn insert_events(&mut self, rows: &[(AppId, usize, &Event)], actor: &str) -> Result<()>;
    /// Rewrite an application's derived columns; with `expected_version` only at that version,
    /// which is then bumped (an event was appended), without it the version stays (the
    /// calendar changed). Returns the number of rows written.
    fn update_derived(&mut self, id: AppId, derived: &Derived, expected_version: Option<i64>) -> Result<u64>;
    /// The applications whose derived columns are provisional, in id order.
    fn provisional_applications(&mut self, lock: Lock) -> Result<Vec<AppId>>;

    /// The next free serial of an organ's 索引号 scope (max + 1).
    fn next_catalogue_seq(&mut self, organ: OrganId, scope: &str) -> Result<i64>;
    /// Insert a catalogue entry (version 1); a taken 索引号 is [`StoreError::DuplicateIndexNo`].
    fn insert_catalogue_entry(&mut self, row: &CatalogueRow) -> Result<EntryId>;
    fn catalogue_entry(&mut self, id: EntryId, lock: Lock) -> Result<CatalogueEntry>;
    /// Set the repeal date of an entry at `expected_version` and bump the version.
    fn set_repealed(&mut self, id: EntryId, repealed: Date, expected_version: i64) -> Result<()>;

    fn counts(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>>;
    /// Insert or replace an organ's counts of a year.
    fn upsert_counts(&mut self, counts: &YearlyCounts) -> Result<()>;

    fn insert_case(&mut self, new: &NewCase) -> Result<CaseId>;
    fn case(&mut self, id: CaseId, lock: Lock) -> Result<Case>;
    /// Record a case's conclusion at `expected_version` and bump the version.
    fn set_concluded(&mut self, id: CaseId, on: Date, result: CaseResult, expected_version: i64) -> Result<()>;

    /// Insert a user (trimmed name, version 1); a taken name is refused in Chinese.
    fn insert_user(&mut self, new: &NewUser, created_at: i64) -> Result<UserId>;
    fn user(&mut self, id: UserId, lock: Lock) -> Result<User>;
    /// Write a changed user (`after`, its version already bumped) over `expected_version`.
    fn update_user(&mut self, after: &User, expected_version: i64) -> Result<()>;

    /// Write holiday rows over any stored for the same dates; one importer at a time.
    fn upsert_holidays(&mut self, listed: &[Listed], source: &str) -> Result<()>;
    /// Every stored holiday row, in date order.
    fn holidays(&mut self) -> Result<Vec<Listed>>;
    /// Hold the holiday rows against an import until this transaction ends (PostgreSQL: `LOCK
    /// TABLE holidays IN SHARE MODE`, which waits for an import in progress and makes the next
    /// one wait; SQLite: the write lock is held already) and return a stamp of them that
    /// changes with every import, by any process (the row count and the latest import time).
    fn calendar_stamp(&mut self) -> Result<String>;

    /// Write audit rows (in order, one time stamp).
    fn audit(&mut self, actor: &str, rows: &[AuditRow]) -> Result<()>;

    fn commit(self) -> Result<()>;
}

/// A backend connection: the reads of [`Store`] (SQL and row mapping) and a write
/// transaction. A pool of them ([`crate::Pooled`]) is a [`Store`]; its writes are the
/// workflows of this module.
pub trait Backend: Send + 'static {
    /// One write transaction.
    type Tx<'a>: WriteTx
    where
        Self: 'a;

    /// `"sqlite"` or `"postgres"`.
    fn name(&self) -> &'static str;
    /// Begin a write transaction.
    fn begin(&mut self) -> Result<Self::Tx<'_>>;
    /// Whether this connection can no longer be used (the server closed it); the pool then
    /// drops it instead of lending it again.
    fn is_broken(&mut self) -> bool {
        false
    }

    fn organ(&mut self, id: OrganId) -> Result<Organ>;
    fn organs(&mut self) -> Result<Vec<Organ>>;
    /// One application with its log, personal data as stored.
    fn application(&mut self, id: AppId) -> Result<Application>;
    fn applications(&mut self, organs: &[OrganId], personal: Personal) -> Result<Vec<ApplicationSummary>>;
    fn applications_page(&mut self, f: &AppFilter, personal: Personal) -> Result<(Vec<ApplicationSummary>, u64)>;
    fn state_counts(&mut self, organs: &[OrganId], today: Date) -> Result<Vec<StateCount>>;
    fn due_list(&mut self, organs: &[OrganId], until: Date) -> Result<Vec<DueItem>>;
    fn applications_for_year(&mut self, organs: &[OrganId], year: i16) -> Result<Vec<YearItem>>;
    fn fee_events_for_year(&mut self, organs: &[OrganId], year: i16) -> Result<Vec<(AppId, Vec<Event>)>>;
    fn catalogue(&mut self, organ: OrganId) -> Result<Vec<CatalogueEntry>>;
    fn catalogue_entry(&mut self, id: EntryId) -> Result<CatalogueEntry>;
    fn counts(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>>;
    fn cases(&mut self, organs: &[OrganId]) -> Result<Vec<Case>>;
    fn case(&mut self, id: CaseId) -> Result<Case>;
    /// The audit rows of a record, snapshots as stored (masking is the workflow's).
    fn audit_log(&mut self, entity: Entity, id: &str) -> Result<Vec<AuditEntry>>;
    /// See [`Store::change_mark`]: every backend must say how a committed write shows.
    fn change_mark(&mut self) -> Result<Option<String>>;
    fn user(&mut self, id: UserId) -> Result<User>;
    fn user_by_name(&mut self, name: &str) -> Result<Option<User>>;
    fn users(&mut self) -> Result<Vec<User>>;
    /// See [`Store::record_login`]; `Ok(false)` when the user does not exist.
    fn record_login(&mut self, id: UserId, ok: bool, locked_until: Option<i64>) -> Result<bool>;
    fn create_session(&mut self, session: &Session) -> Result<()>;
    fn session(&mut self, token_hash: &str, now: i64) -> Result<Option<Session>>;
    /// See [`Store::resume`]. The change mark is read first, so it is never newer than the
    /// session and user read with it; a backend that can reads all three in one statement.
    fn resume(&mut self, token_hash: &str, now: i64) -> Result<Option<Resumed>> {
        let mark = self.change_mark()?;
        let Some(session) = self.session(token_hash, now)? else { return Ok(None) };
        let user = self.user(session.user)?;
        Ok(Some(Resumed { session, user, mark }))
    }
    fn delete_session(&mut self, token_hash: &str) -> Result<()>;
    fn delete_sessions_of(&mut self, user: UserId) -> Result<()>;
    fn purge_sessions(&mut self, now: i64) -> Result<usize>;
    fn analyze(&mut self) -> Result<()>;
}

fn audit_one(
    tx: &mut impl WriteTx,
    actor: &str,
    entity: Entity,
    id: impl ToString,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    tx.audit(actor, &[AuditRow { entity, id: id.to_string(), before, after }])
}

/// Bring a freshly opened register's holiday rows up to the embedded notices (see
/// [`missing_official`]) and return the register's calendar with its stamp.
/// [`crate::Pooled`] calls it on its first connection when the store opens.
pub fn load_calendar<B: Backend>(b: &mut B) -> Result<(Calendar, String)> {
    let mut tx = b.begin()?;
    let stamp = tx.calendar_stamp()?;
    let stored = tx.holidays()?;
    let missing = missing_official(&stored);
    if missing.is_empty() {
        tx.commit()?;
        return Ok((register_calendar(&stored)?, stamp));
    }
    drop(tx);
    let (tx, _, cal, stamp) = write_holidays(b, &missing, EMBEDDED_SOURCE, "gongkai")?;
    tx.commit()?;
    Ok((cal, stamp))
}

/// See [`Store::import_holidays`]: the shared calendar is replaced as the import commits.
pub fn import_holidays<B: Backend>(
    b: &mut B,
    shared: &SharedCalendar,
    listed: &[Listed],
    source: &str,
    actor: &str,
) -> Result<HolidayImport> {
    let (tx, report, cal, stamp) = write_holidays(b, listed, source, actor)?;
    shared.commit_with(tx, cal, stamp)?;
    Ok(report)
}

/// The holiday import up to its commit: rows written, calendar rebuilt, provisional
/// applications replayed, audit row written. Returns the open transaction, the new calendar
/// and its stamp.
fn write_holidays<'b, B: Backend>(
    b: &'b mut B,
    listed: &[Listed],
    source: &str,
    actor: &str,
) -> Result<(B::Tx<'b>, HolidayImport, Calendar, String)> {
    let mut tx = b.begin()?;
    tx.upsert_holidays(listed, source)?;
    let stamp = tx.calendar_stamp()?;
    let cal = register_calendar(&tx.holidays()?)?;
    let ids = tx.provisional_applications(Lock::Update)?;
    let mut still = 0;
    for &id in &ids {
        let app = tx.application(id, Lock::Share)?;
        let derived = derive(&cal, &app.events)?;
        still += usize::from(derived.provisional);
        tx.update_derived(id, &derived, None)?;
    }
    let report = HolidayImport {
        dates: listed.len(),
        covered: cal.covered_years(),
        recomputed: ids.len(),
        still_provisional: still,
    };
    audit_one(
        &mut tx,
        actor,
        Entity::Calendar,
        years_of(listed),
        None,
        Some(holiday_snapshot(listed, source, &report)),
    )?;
    Ok((tx, report, cal, stamp))
}

/// See [`Store::add_organ`].
pub fn add_organ<B: Backend>(b: &mut B, new: &NewOrgan, actor: &str) -> Result<Organ> {
    validate_new_organ(new)?;
    let mut tx = b.begin()?;
    if let Some(p) = new.parent {
        tx.organ(p, Lock::Share)?;
    }
    let id = tx.insert_organ(new)?;
    let organ = Organ {
        id,
        name: new.name.clone(),
        kind: new.kind,
        parent: new.parent,
        code: new.code.clone(),
        index_pattern: new.index_pattern.clone(),
    };
    audit_one(&mut tx, actor, Entity::Organ, id.0, None, Some(snapshot(&organ)))?;
    tx.commit()?;
    Ok(organ)
}

/// See [`Store::change_organ`]: the organ is locked for update and the new parent's ancestors
/// are walked inside the transaction (locked for share), so a concurrent move cannot close a
/// cycle unseen.
pub fn change_organ<B: Backend>(b: &mut B, id: OrganId, change: &OrganChange, actor: &str) -> Result<Organ> {
    let name = change.name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("机关名称不能为空".into()));
    }
    let mut tx = b.begin()?;
    let before = tx.organ(id, Lock::Update)?;
    let mut up = change.parent;
    while let Some(p) = up {
        if p == id {
            return Err(StoreError::Invalid(format!(
                "不能把机关 {} 移到它自己或它的下级机关之下（机关树不能成环）",
                id.0
            )));
        }
        up = tx.organ(p, Lock::Share)?.parent;
    }
    let after = Organ { name: name.to_string(), parent: change.parent, ..before.clone() };
    tx.update_organ(&after)?;
    audit_one(&mut tx, actor, Entity::Organ, id.0, Some(snapshot(&before)), Some(snapshot(&after)))?;
    tx.commit()?;
    Ok(after)
}

/// See [`Store::import_applications`]: every application is validated and replayed before the
/// transaction begins; all are written or none.
pub fn import_applications<B: Backend>(
    b: &mut B,
    shared: &SharedCalendar,
    batch: &[NewApplication],
    actor: &str,
) -> Result<Vec<Application>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let validate = |cal: &Calendar| {
        batch.iter().map(|new| Ok((new, validate_new_application(cal, new)?))).collect::<Result<Vec<_>>>()
    };
    // Validated outside the lock; again inside it only if a holiday import committed meanwhile.
    let cal = shared.get();
    let mut rows = validate(&cal)?;
    let mut tx = b.begin()?;
    let now = shared.current(&mut tx)?;
    if !Arc::ptr_eq(&cal, &now) {
        rows = validate(&now)?;
    }
    let mut organs: Vec<OrganId> = batch.iter().map(|n| n.organ).collect();
    organs.sort_unstable();
    organs.dedup();
    if let Some(missing) = tx.missing_organ(&organs)? {
        return Err(Entity::Organ.not_found(missing.0));
    }
    let ids = tx.insert_applications(&rows)?;
    let apps: Vec<Application> = rows
        .iter()
        .zip(&ids)
        .map(|((new, derived), &id)| Application {
            id,
            organ: new.organ,
            serial: new.serial.clone(),
            applicant: new.applicant.clone(),
            channel: derived.channel,
            description: new.description.clone(),
            form: new.form,
            events: new.events.clone(),
            version: 1,
        })
        .collect();
    let events: Vec<(AppId, usize, &Event)> =
        apps.iter().flat_map(|a| a.events.iter().enumerate().map(move |(i, e)| (a.id, i + 1, e))).collect();
    tx.insert_events(&events, actor)?;
    let audit: Vec<AuditRow> = apps
        .iter()
        .map(|a| AuditRow {
            entity: Entity::Application,
            id: a.id.0.to_string(),
            before: None,
            after: Some(snapshot(a)),
        })
        .collect();
    tx.audit(actor, &audit)?;
    tx.commit()?;
    Ok(apps)
}

/// See [`Store::append_event`]: the version is checked on the row the transaction locked, the
/// whole log is replayed with the new event, and the derived columns, the event and the audit
/// row are written together.
pub fn append_event<B: Backend>(
    b: &mut B,
    shared: &SharedCalendar,
    id: AppId,
    expected_version: i64,
    event: &Event,
    actor: &str,
) -> Result<Application> {
    let mut tx = b.begin()?;
    // The calendar first (the import takes the holidays, then the rows: the same order), then
    // Lock::Update: a concurrent writer waits here and then sees the committed version.
    let cal = shared.current(&mut tx)?;
    let before = tx.application(id, Lock::Update)?;
    check_version(expected_version, before.version)?;
    let mut after = before.clone();
    after.events.push(event.clone());
    let derived = derive(&cal, &after.events)?;
    after.version += 1;
    if tx.update_derived(id, &derived, Some(expected_version))? != 1 {
        return Err(StoreError::Stale { expected: expected_version, current: before.version });
    }
    tx.insert_events(&[(id, after.events.len(), event)], actor)?;
    audit_one(&mut tx, actor, Entity::Application, id.0, Some(snapshot(&before)), Some(snapshot(&after)))?;
    tx.commit()?;
    Ok(after)
}

/// See [`Store::add_catalogue_entry`]: the 索引号 is the next serial of the organ's pattern
/// scope, drawn under the organ's row lock (SQLite: the write lock), so concurrent adds take
/// their serials one after another; the unique constraint guards anyway.
pub fn add_catalogue_entry<B: Backend>(b: &mut B, new: &NewCatalogueEntry, actor: &str) -> Result<CatalogueEntry> {
    if new.title.trim().is_empty() {
        return Err(StoreError::Invalid("文件标题不能为空".into()));
    }
    let mut tx = b.begin()?;
    let organ = tx.organ(new.organ, Lock::Update)?;
    let pattern = pattern_of(&organ)?;
    let scope = pattern.scope_key(&organ.code, new.issued);
    let seq = tx.next_catalogue_seq(organ.id, &scope)?;
    let seq32 = u32::try_from(seq).map_err(|_| StoreError::Invalid("流水号已用尽".into()))?;
    let index_no = pattern.render(&organ.code, new.issued, seq32);
    let id = tx.insert_catalogue_entry(&CatalogueRow { new, index_no: &index_no, scope: &scope, seq })?;
    let entry = CatalogueEntry {
        id,
        organ: organ.id,
        kind: new.kind,
        title: new.title.clone(),
        doc_number: new.doc_number.clone(),
        index_no,
        issued: new.issued,
        repealed: None,
        version: 1,
    };
    audit_one(&mut tx, actor, Entity::CatalogueEntry, id.0, None, Some(snapshot(&entry)))?;
    tx.commit()?;
    Ok(entry)
}

/// See [`Store::repeal_catalogue_entry`].
pub fn repeal_catalogue_entry<B: Backend>(
    b: &mut B,
    id: EntryId,
    expected_version: i64,
    repealed: Date,
    actor: &str,
) -> Result<CatalogueEntry> {
    let mut tx = b.begin()?;
    let before = tx.catalogue_entry(id, Lock::Update)?;
    let after = repealed_entry(&before, expected_version, repealed)?;
    tx.set_repealed(id, repealed, expected_version)?;
    audit_one(&mut tx, actor, Entity::CatalogueEntry, id.0, Some(snapshot(&before)), Some(snapshot(&after)))?;
    tx.commit()?;
    Ok(after)
}

/// See [`Store::set_counts`].
pub fn set_counts<B: Backend>(b: &mut B, c: &YearlyCounts, actor: &str) -> Result<()> {
    let mut tx = b.begin()?;
    tx.organ(c.organ, Lock::Update)?;
    let before = tx.counts(c.organ, c.year)?;
    tx.upsert_counts(c)?;
    audit_one(
        &mut tx,
        actor,
        Entity::YearlyCounts,
        counts_key(c.organ, c.year),
        before.as_ref().map(snapshot),
        Some(snapshot(c)),
    )?;
    tx.commit()
}

/// See [`Store::add_case`].
pub fn add_case<B: Backend>(b: &mut B, new: &NewCase, actor: &str) -> Result<Case> {
    let mut tx = b.begin()?;
    tx.organ(new.organ, Lock::Share)?;
    let id = tx.insert_case(new)?;
    let case = Case {
        id,
        organ: new.organ,
        kind: new.kind,
        number: new.number.clone(),
        filed: new.filed,
        concluded: None,
        version: 1,
    };
    audit_one(&mut tx, actor, Entity::Case, id.0, None, Some(snapshot(&case)))?;
    tx.commit()?;
    Ok(case)
}

/// See [`Store::conclude_case`].
pub fn conclude_case<B: Backend>(
    b: &mut B,
    id: CaseId,
    expected_version: i64,
    on: Date,
    result: CaseResult,
    actor: &str,
) -> Result<Case> {
    let mut tx = b.begin()?;
    let before = tx.case(id, Lock::Update)?;
    let after = concluded_case(&before, expected_version, on, result)?;
    tx.set_concluded(id, on, result, expected_version)?;
    audit_one(&mut tx, actor, Entity::Case, id.0, Some(snapshot(&before)), Some(snapshot(&after)))?;
    tx.commit()?;
    Ok(after)
}

/// See [`Store::audit_disclosure`].
pub fn audit_disclosure<B: Backend>(b: &mut B, entity: Entity, id: &str, actor: &str, purpose: &str) -> Result<()> {
    let mut tx = b.begin()?;
    audit_one(&mut tx, actor, entity, id, None, Some(disclosure_snapshot(purpose)))?;
    tx.commit()
}

/// See [`Store::add_user`].
pub fn add_user<B: Backend>(b: &mut B, new: &NewUser, actor: &str) -> Result<User> {
    validate_new_user(new)?;
    let mut tx = b.begin()?;
    if let Some(o) = new.organ {
        tx.organ(o, Lock::Share)?;
    }
    let id = tx.insert_user(new, jiff::Timestamp::now().as_second())?;
    let user = tx.user(id, Lock::Share)?;
    audit_one(&mut tx, actor, Entity::User, id.0, None, Some(user_snapshot(&user)))?;
    tx.commit()?;
    Ok(user)
}

/// See [`Store::change_user`].
pub fn change_user<B: Backend>(
    b: &mut B,
    id: UserId,
    expected_version: i64,
    change: &UserChange,
    actor: &str,
) -> Result<User> {
    let mut tx = b.begin()?;
    let before = tx.user(id, Lock::Update)?;
    let after = changed_user(&before, expected_version, change)?;
    if let Some(o) = after.organ {
        tx.organ(o, Lock::Share)?;
    }
    tx.update_user(&after, expected_version)?;
    audit_one(&mut tx, actor, Entity::User, id.0, Some(user_snapshot(&before)), Some(user_snapshot(&after)))?;
    tx.commit()?;
    Ok(after)
}
